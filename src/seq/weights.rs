//! Weight files of the sequence demos: a burnpack `.bpk` and a JSON sidecar that names the
//! demo and the architecture, so `seq eval` and the tab can load any of them by path.

use std::ops::RangeInclusive;
use std::path::Path;

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::cells::CellKind;
use super::classifier::SeqClassifier;
use super::echo::EchoNet;
use super::memnet::{MemNet, MemNetConfig, Task};
use super::seq2seq::{Seq2Seq, Seq2SeqConfig};
use super::tasks::Level;
use crate::error::{Error, Result};
use crate::{burnpack, embedded, weight_pair};

/// Where the shipped sequence weights live, relative to the crate root (built into the
/// binary).
pub const BUNDLED_DIR: &str = "models/seq";

/// The bundled models, by file stem; `seq train … --out models/seq/NAME.bpk` makes each.
pub const BUNDLED_NAMES: [&str; 10] = [
    "order-moderate-rnn",
    "order-moderate-lstm",
    "order-moderate-gru",
    "order-hard-lstm",
    "echo-rnn",
    "echo-lstm",
    "seq2seq-attention",
    "seq2seq-plain",
    "memnet-single",
    "memnet-two",
];

/// Loads one shipped demo model, e.g. `load_bundled("order-hard-lstm", &device)`.
pub fn load_bundled(name: &str, device: &Device) -> Result<(SeqModel, SeqMeta)> {
    let path = format!("{BUNDLED_DIR}/{name}.bpk");
    let sidecar = embedded::file(&format!("{BUNDLED_DIR}/{name}.json"))?;
    let bytes = embedded::file(&path)?.to_vec();
    from_bytes(&embedded::label(&path), bytes, sidecar, device)
}

/// Which demo a file belongs to, with what it needs to rebuild the module.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "demo", rename_all = "kebab-case")]
pub enum SeqArch {
    /// Temporal-order classifier, trained on `level`.
    Order {
        cell: CellKind,
        hidden: usize,
        level: Level,
    },
    /// Echo at `delay`, trained with truncated BPTT in chunks of `chunk`.
    Echo {
        cell: CellKind,
        hidden: usize,
        delay: usize,
        chunk: usize,
    },
    /// Digit-string reversal, with or without attention; trained on `min_len..=max_len`.
    Seq2seq {
        model: Seq2SeqConfig,
        min_len: usize,
        max_len: usize,
    },
    /// Memory network on generated stories of `task` with `facts` facts.
    Memnet {
        model: MemNetConfig,
        task: Task,
        facts: RangeInclusive<usize>,
    },
}

impl SeqArch {
    /// Sizes a model can be built and measured with (a hand-edited sidecar may say anything).
    pub fn validate(&self) -> std::result::Result<(), String> {
        let positive = |what: &str, v: usize| {
            if v == 0 {
                Err(format!("{what} must be at least 1"))
            } else {
                Ok(())
            }
        };
        match self {
            SeqArch::Order { hidden, .. } => positive("hidden", *hidden),
            SeqArch::Echo {
                hidden,
                delay,
                chunk,
                ..
            } => {
                positive("hidden", *hidden)?;
                positive("delay", *delay)?;
                positive("chunk", *chunk)
            }
            SeqArch::Seq2seq {
                model,
                min_len,
                max_len,
            } => {
                positive("hidden", model.hidden)?;
                positive("embed", model.embed)?;
                positive("min_len", *min_len)?;
                if min_len > max_len {
                    return Err(format!("min_len {min_len} exceeds max_len {max_len}"));
                }
                Ok(())
            }
            SeqArch::Memnet { model, facts, .. } => {
                positive("embed", model.embed)?;
                positive("hops", model.hops)?;
                if facts.is_empty() || *facts.end() > model.memory {
                    return Err(format!(
                        "facts {facts:?} must be a non-empty range within the {} memory slots",
                        model.memory
                    ));
                }
                Ok(())
            }
        }
    }
}

/// The sidecar: the architecture and a free-form training record (seed, steps, figures).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SeqMeta {
    pub arch: SeqArch,
    #[serde(default)]
    pub training: serde_json::Value,
}

/// A loaded sequence model of any demo.
#[derive(Debug)]
pub enum SeqModel {
    Order(SeqClassifier),
    Echo(EchoNet),
    /// Boxed: by far the largest module.
    Seq2seq(Box<Seq2Seq>),
    Memnet(MemNet),
}

impl SeqModel {
    /// A freshly initialised module of `arch` (the template weights are loaded into).
    fn fresh(arch: &SeqArch, device: &Device) -> Self {
        match arch {
            SeqArch::Order { cell, hidden, .. } => {
                SeqModel::Order(SeqClassifier::new(*cell, *hidden, device))
            }
            SeqArch::Echo { cell, hidden, .. } => {
                SeqModel::Echo(EchoNet::new(*cell, *hidden, device))
            }
            SeqArch::Seq2seq { model, .. } => SeqModel::Seq2seq(Box::new(model.init(device))),
            SeqArch::Memnet { model, .. } => SeqModel::Memnet(model.init(device)),
        }
    }

    fn to_bytes(&self, path: &Path) -> Result<Vec<u8>> {
        match self {
            SeqModel::Order(m) => burnpack::to_bytes(m, path),
            SeqModel::Echo(m) => burnpack::to_bytes(m, path),
            SeqModel::Seq2seq(m) => burnpack::to_bytes(m.as_ref(), path),
            SeqModel::Memnet(m) => burnpack::to_bytes(m, path),
        }
    }

    fn load_into(self, bytes: Vec<u8>, path: &Path) -> Result<Self> {
        Ok(match self {
            SeqModel::Order(m) => SeqModel::Order(burnpack::load_into(m, bytes, path)?),
            SeqModel::Echo(m) => SeqModel::Echo(burnpack::load_into(m, bytes, path)?),
            SeqModel::Seq2seq(m) => {
                SeqModel::Seq2seq(Box::new(burnpack::load_into(*m, bytes, path)?))
            }
            SeqModel::Memnet(m) => SeqModel::Memnet(burnpack::load_into(m, bytes, path)?),
        })
    }
}

/// Saves weights and sidecar as a pair a crash cannot split (see `weight_pair`).
pub fn save(model: &SeqModel, meta: &SeqMeta, path: &Path) -> Result<()> {
    let bytes = model.to_bytes(path)?;
    weight_pair::save(path, &bytes, meta)
}

/// Loads a weights file and its (required) sidecar onto `device`.
pub fn load(path: &Path, device: &Device) -> Result<(SeqModel, SeqMeta)> {
    let (bytes, json) = weight_pair::load(path)?;
    let json = json.ok_or_else(|| Error::Weights {
        path: path.to_path_buf(),
        reason: format!(
            "its sidecar {} is missing",
            weight_pair::sidecar_path(path).display()
        ),
    })?;
    from_bytes(path, bytes, &json, device)
}

/// A model from burnpack `bytes` and sidecar `json`; `path` names them in errors.
fn from_bytes(
    path: &Path,
    bytes: Vec<u8>,
    json: &[u8],
    device: &Device,
) -> Result<(SeqModel, SeqMeta)> {
    let fail = |reason: String| Error::Weights {
        path: path.to_path_buf(),
        reason: format!(
            "sidecar {}: {reason}",
            path.with_extension("json").display()
        ),
    };
    let meta: SeqMeta = serde_json::from_slice(json).map_err(|e| fail(e.to_string()))?;
    meta.arch.validate().map_err(|e| fail(e.to_string()))?;
    let model = SeqModel::fresh(&meta.arch, device).load_into(bytes, path)?;
    Ok((model, meta))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seq::tasks::{N_SYMBOLS, one_hot_batch, temporal_order};
    use burn::tensor::{Tensor, TensorData};
    use rand::SeedableRng;
    use std::fs;

    #[test]
    fn an_order_model_round_trips_and_bad_files_are_clear_errors() {
        let device = Device::flex();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/order.bpk");
        let model = SeqClassifier::new(CellKind::Gru, 5, &device);
        let meta = SeqMeta {
            arch: SeqArch::Order {
                cell: CellKind::Gru,
                hidden: 5,
                level: Level::Easy,
            },
            training: serde_json::json!({ "seed": 3 }),
        };
        let mut rng = rand::rngs::StdRng::seed_from_u64(1);
        let (x, t, _) = one_hot_batch(&[temporal_order(Level::Easy, &mut rng)]);
        let x = Tensor::<3>::from_data(TensorData::new(x, [1, t, N_SYMBOLS]), &device);
        let before = model.forward(x.clone()).into_data();
        save(&SeqModel::Order(model), &meta, &path).unwrap();
        let (loaded, meta2) = load(&path, &device).unwrap();
        assert_eq!(meta2.training["seed"], 3);
        let SeqModel::Order(loaded) = loaded else {
            panic!("not an order model: {loaded:?}");
        };
        assert_eq!(loaded.forward(x).into_data(), before);

        // A sidecar that claims another size: the tensors do not fit.
        let wrong = SeqMeta {
            arch: SeqArch::Order {
                cell: CellKind::Gru,
                hidden: 6,
                level: Level::Easy,
            },
            training: serde_json::Value::Null,
        };
        fs::write(
            path.with_extension("json"),
            serde_json::to_vec(&wrong).unwrap(),
        )
        .unwrap();
        let err = load(&path, &device).unwrap_err().to_string();
        assert!(err.contains("order.bpk") && err.contains("fit"), "{err}");

        // A sidecar with impossible sizes.
        let zero = SeqMeta {
            arch: SeqArch::Order {
                cell: CellKind::Gru,
                hidden: 0,
                level: Level::Easy,
            },
            training: serde_json::Value::Null,
        };
        fs::write(
            path.with_extension("json"),
            serde_json::to_vec(&zero).unwrap(),
        )
        .unwrap();
        let err = load(&path, &device).unwrap_err().to_string();
        assert!(err.contains("hidden must be at least 1"), "{err}");

        // Garbage weights, and a missing sidecar.
        fs::write(
            path.with_extension("json"),
            serde_json::to_vec(&meta).unwrap(),
        )
        .unwrap();
        fs::write(&path, b"not a burnpack").unwrap();
        let err = load(&path, &device).unwrap_err().to_string();
        assert!(err.contains("burnpack"), "{err}");
        fs::remove_file(path.with_extension("json")).unwrap();
        let err = load(&path, &device).unwrap_err().to_string();
        assert!(err.contains("sidecar"), "{err}");
    }
}
