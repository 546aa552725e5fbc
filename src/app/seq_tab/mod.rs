//! The sequence-model tab: the second half of NYU DL week 6, taught live. Each demo shows
//! the bundled models' finished result at once and can train its own in the background.

mod echo;
mod flow;
mod inside;
pub mod job;
mod memory;
mod order;
pub mod plots;
mod runs;
mod translate;

use burn::tensor::Device;
use eframe::egui::{self, RichText, Ui};

use crate::seq::classifier::SeqClassifier;
use crate::seq::echo::EchoNet;
use crate::seq::memnet::MemNet;
use crate::seq::scorecard::{Figure, recorded};
use crate::seq::seq2seq::Seq2Seq;
use crate::seq::weights::{self, SeqMeta, SeqModel};

/// The sequence models are tiny and sequential: the CPU is the right place for them, and it
/// leaves the GPU (if any) to the face detector.
pub fn device() -> Device {
    Device::flex()
}

/// The demos, in teaching order.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Demo {
    #[default]
    Order,
    Flow,
    Inside,
    Echo,
    Seq2seq,
    Memory,
}

impl Demo {
    pub const ALL: [Demo; 6] = [
        Demo::Order,
        Demo::Flow,
        Demo::Inside,
        Demo::Echo,
        Demo::Seq2seq,
        Demo::Memory,
    ];

    /// Its name on the command line (`--seq-demo`).
    pub fn key(self) -> &'static str {
        match self {
            Demo::Order => "order",
            Demo::Flow => "flow",
            Demo::Inside => "inside",
            Demo::Echo => "echo",
            Demo::Seq2seq => "seq2seq",
            Demo::Memory => "memory",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Demo::Order => "RNN vs LSTM vs GRU",
            Demo::Flow => "Gradient flow (BPTT)",
            Demo::Inside => "Inside an LSTM",
            Demo::Echo => "Echo / truncated BPTT",
            Demo::Seq2seq => "Seq2seq + attention",
            Demo::Memory => "Memory network",
        }
    }
}

/// A value computed from a key, recomputed only when the key changes (model outputs shown
/// every frame but computed once per example).
pub struct Memo<K, V> {
    entry: Option<(K, V)>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self { entry: None }
    }
}

impl<K: PartialEq, V> Memo<K, V> {
    /// The value for `key`, computing it if the key changed.
    pub fn get_or(&mut self, key: K, compute: impl FnOnce() -> V) -> &V {
        if self.is_stale(&key) {
            self.entry = None;
        }
        &self.entry.get_or_insert_with(|| (key, compute())).1
    }

    /// True when `key` would need a recomputation.
    fn is_stale(&self, key: &K) -> bool {
        self.entry.as_ref().is_none_or(|(k, _)| k != key)
    }

    /// The last value, whatever its key.
    pub fn last(&self) -> Option<&V> {
        self.entry.as_ref().map(|(_, v)| v)
    }
}

/// A bundled model with the figures recorded when it was trained (parsed once, shown every
/// frame).
struct BundledModel {
    model: SeqModel,
    meta: SeqMeta,
    figures: Vec<Figure>,
}

/// A bundled model, or why it could not be loaded.
type Loaded = Result<BundledModel, String>;

/// The bundled weights of `models/seq`, each loaded or the reason it could not be.
pub struct Bundled {
    entries: Vec<(&'static str, Loaded)>,
}

impl Bundled {
    /// Loads every shipped model (built into the binary).
    pub fn load(device: &Device) -> Self {
        let entries = weights::BUNDLED_NAMES
            .iter()
            .map(|&name| {
                let loaded =
                    weights::load_bundled(name, device).map(|(model, meta)| BundledModel {
                        figures: recorded(&meta),
                        model,
                        meta,
                    });
                (name, loaded.map_err(|e| e.to_string()))
            })
            .collect();
        Self { entries }
    }

    fn get(&self, name: &str) -> Option<&Loaded> {
        self.entries
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| r)
    }

    fn model(&self, name: &str) -> Option<(&SeqModel, &SeqMeta)> {
        self.get(name)?.as_ref().ok().map(|b| (&b.model, &b.meta))
    }

    pub fn order(&self, name: &str) -> Option<(&SeqClassifier, &SeqMeta)> {
        match self.model(name)? {
            (SeqModel::Order(m), meta) => Some((m, meta)),
            _ => None,
        }
    }

    pub fn echo(&self, name: &str) -> Option<(&EchoNet, &SeqMeta)> {
        match self.model(name)? {
            (SeqModel::Echo(m), meta) => Some((m, meta)),
            _ => None,
        }
    }

    pub fn seq2seq(&self, name: &str) -> Option<(&Seq2Seq, &SeqMeta)> {
        match self.model(name)? {
            (SeqModel::Seq2seq(m), meta) => Some((m.as_ref(), meta)),
            _ => None,
        }
    }

    pub fn memnet(&self, name: &str) -> Option<(&MemNet, &SeqMeta)> {
        match self.model(name)? {
            (SeqModel::Memnet(m), meta) => Some((m, meta)),
            _ => None,
        }
    }

    /// One line per figure recorded when `name` was trained, or why it is missing.
    pub fn figure_line(&self, ui: &mut Ui, name: &str) {
        match self.get(name) {
            Some(Ok(b)) => {
                let seed = &b.meta.training["seed"];
                for f in &b.figures {
                    plots::figure(
                        ui,
                        &format!("{name}: {}", f.label),
                        f.value,
                        &format!("seed {seed}"),
                    );
                }
            }
            Some(Err(e)) => {
                ui.colored_label(plots::WRONG, e);
            }
            None => {
                ui.label(RichText::new(format!("{name}: not bundled")).weak());
            }
        }
    }
}

/// The tab's state: which demo is open, the bundled models, and each demo's own state.
pub struct SeqTab {
    pub demo: Demo,
    bundled: Option<Bundled>,
    order: order::OrderDemo,
    flow: flow::FlowDemo,
    inside: inside::InsideDemo,
    echo: echo::EchoDemo,
    translate: translate::TranslateDemo,
    memory: memory::MemoryDemo,
}

impl Default for SeqTab {
    fn default() -> Self {
        Self {
            demo: Demo::Order,
            bundled: None,
            order: Default::default(),
            flow: Default::default(),
            inside: Default::default(),
            echo: Default::default(),
            translate: Default::default(),
            memory: Default::default(),
        }
    }
}

impl SeqTab {
    /// The tab, opening on `demo`.
    pub fn opening(demo: Demo) -> Self {
        Self {
            demo,
            ..Self::default()
        }
    }

    /// True while any demo trains (the live view then slows its detector down).
    pub fn training(&self) -> bool {
        self.order.running()
            || self.flow.running()
            || self.echo.running()
            || self.translate.running()
            || self.memory.running()
    }

    pub fn show(&mut self, ui: &mut Ui) {
        let bundled = self.bundled.get_or_insert_with(|| Bundled::load(&device()));
        ui.horizontal_wrapped(|ui| {
            for d in Demo::ALL {
                ui.selectable_value(&mut self.demo, d, d.title());
            }
        });
        ui.separator();
        egui::ScrollArea::both()
            .auto_shrink([false, false])
            .show(ui, |ui| match self.demo {
                Demo::Order => self.order.show(ui, bundled),
                Demo::Flow => self.flow.show(ui, bundled),
                Demo::Inside => self.inside.show(ui, bundled, &mut self.order),
                Demo::Echo => self.echo.show(ui, bundled),
                Demo::Seq2seq => self.translate.show(ui, bundled),
                Demo::Memory => self.memory.show(ui, bundled),
            });
        if self.training() {
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(150));
        }
    }
}
