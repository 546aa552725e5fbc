//! The negatives tab: the stored false positives, retraining, and the model versions.

use std::collections::HashMap;

use eframe::egui::{self, Color32, ColorImage, RichText, TextureHandle, TextureOptions, Ui};
use egui_plot::{Line, Plot, PlotPoints};

use super::Notice;
use super::mining::Mining;
use crate::live::Pipeline;

/// Thumbnails of stored negatives, uploaded once per id.
#[derive(Default)]
pub struct Thumbnails {
    textures: HashMap<String, TextureHandle>,
}

/// Draws the tab; returns a notice when something happened.
pub fn show(
    ui: &mut Ui,
    mining: &mut Mining,
    thumbs: &mut Thumbnails,
    pipeline: &Pipeline,
) -> Option<Notice> {
    let mut notice = None;
    ui.horizontal(|ui| {
        ui.heading("Hard negatives");
        match &mining.store {
            Ok(s) => ui.label(format!("{} stored in {}", s.len(), s.root().display())),
            Err(e) => ui.colored_label(Color32::from_rgb(255, 110, 110), e),
        };
    });
    ui.label(
        "Click a wrong box in the Live tab and press \"Not a face\" (or mark a whole frame). \
         Retraining fine-tunes the running model on them in the background; the new model \
         replaces it only if it keeps its detection rate and flags fewer of your marks.",
    );
    ui.separator();
    notice = notice.or(retrain_controls(ui, mining, pipeline));
    ui.separator();
    notice = notice.or(versions(ui, mining, pipeline));
    ui.separator();
    notice = notice.or(gallery(ui, mining, thumbs));
    notice
}

fn retrain_controls(ui: &mut Ui, mining: &mut Mining, pipeline: &Pipeline) -> Option<Notice> {
    let mut notice = None;
    ui.horizontal(|ui| {
        let running = mining.retrainer.is_some();
        if ui
            .add_enabled(!running, egui::Button::new("Retrain"))
            .clicked()
        {
            notice = mining.start_round(pipeline, ui.ctx());
        }
        if running
            && ui.button("Cancel").clicked()
            && let Some(r) = &mining.retrainer
        {
            r.cancel();
        }
        ui.label("automatically after");
        ui.add(egui::DragValue::new(&mut mining.auto_after).range(0..=500));
        ui.label("new negatives (0 = off)");
    });
    if let Some(r) = &mining.retrainer {
        let seconds = r.started().elapsed().as_secs_f32();
        r.progress(|p| {
            let done = (p.epoch.saturating_sub(1) * p.batches.max(1) + p.batch) as f32
                / (p.epochs.max(1) * p.batches.max(1)) as f32;
            ui.add(
                egui::ProgressBar::new(done.clamp(0.0, 1.0))
                    .text(format!("epoch {}/{} · {seconds:.0} s", p.epoch, p.epochs))
                    .animate(true),
            );
            let points: PlotPoints = p
                .losses
                .iter()
                .enumerate()
                .map(|(i, &l)| [i as f64, l as f64])
                .collect();
            Plot::new("loss")
                .height(140.0)
                .allow_scroll(false)
                .show(ui, |plot| plot.line(Line::new("training loss", points)));
        });
    }
    match &mining.last_round {
        Some(Ok((gate, seconds))) => {
            let colour = if gate.accepted {
                Color32::from_rgb(110, 220, 110)
            } else {
                Color32::from_rgb(255, 170, 80)
            };
            ui.label(
                RichText::new(format!("Last round ({seconds:.1} s): {}", gate.verdict))
                    .color(colour),
            );
        }
        Some(Err(e)) => {
            ui.colored_label(
                Color32::from_rgb(255, 110, 110),
                format!("Last round failed: {e}"),
            );
        }
        None => {}
    }
    notice
}

fn versions(ui: &mut Ui, mining: &Mining, pipeline: &Pipeline) -> Option<Notice> {
    let mut notice = None;
    let current = pipeline.models.current();
    ui.horizontal_wrapped(|ui| {
        ui.label(format!(
            "Running: {} (v{}).  Use:",
            current.origin, current.version
        ));
        if ui.button("bundled").clicked() {
            notice = Some(mining.use_version(pipeline, None));
        }
        for (n, path) in mining.versions.list() {
            if ui
                .button(format!("v{n}"))
                .on_hover_text(path.display().to_string())
                .clicked()
            {
                notice = Some(mining.use_version(pipeline, Some(&path)));
            }
        }
    });
    notice
}

fn gallery(ui: &mut Ui, mining: &mut Mining, thumbs: &mut Thumbnails) -> Option<Notice> {
    let Ok(store) = &mut mining.store else {
        return None;
    };
    let mut notice = None;
    let mut remove = None;
    if ui.button("Undo delete").clicked() {
        notice = Some(match store.undo() {
            Ok(Some(id)) => Notice::Info(format!("restored {id}")),
            Ok(None) => Notice::Info("nothing to undo".into()),
            Err(e) => Notice::Error(format!("undo failed: {e}")),
        });
    }
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.horizontal_wrapped(|ui| {
            // Newest first: that is what the user just marked.
            for n in store.entries().iter().rev() {
                let tex = thumbs.textures.entry(n.meta.id.clone()).or_insert_with(|| {
                    let w = &n.window;
                    let rgb: Vec<u8> = w.as_raw().iter().flat_map(|&p| [p, p, p]).collect();
                    ui.ctx().load_texture(
                        format!("negative {}", n.meta.id),
                        ColorImage::from_rgb([w.width() as usize, w.height() as usize], &rgb),
                        TextureOptions::NEAREST,
                    )
                });
                ui.vertical(|ui| {
                    ui.image((tex.id(), egui::vec2(60.0, 60.0)))
                        .on_hover_text(format!(
                            "score {:.2}, frame {} of {}, model {}",
                            n.meta.score, n.meta.frame_id, n.meta.source, n.meta.model
                        ));
                    if ui.small_button("delete").clicked() {
                        remove = Some(n.meta.id.clone());
                    }
                });
            }
        });
    });
    if let Some(id) = remove {
        notice = Some(match store.remove(&id) {
            Ok(()) => Notice::Info("deleted (Undo brings it back)".into()),
            Err(e) => Notice::Error(format!("delete failed: {e}")),
        });
    }
    notice
}
