//! The headline figures of a trained sequence model, measured on fresh data with a fixed
//! seed: what `seq train` records in the sidecar, `seq eval` re-measures and the tab shows.

use burn::tensor::Device;
use serde::{Deserialize, Serialize};

use super::echo::evaluate_echo;
use super::memnet;
use super::seq2seq::exact_match;
use super::train::evaluate;
use super::weights::{SeqArch, SeqMeta, SeqModel};
use crate::error::{Error, Result};

/// Test data comes from this seed; training streams use small seeds (1, 2, …).
pub const EVAL_SEED: u64 = 0x7e57;
/// Examples per figure.
pub const EVAL_N: usize = 2000;
/// Echo test streams and their length.
const ECHO_STREAMS: usize = 256;
const ECHO_LEN: usize = 200;
/// How far beyond its training lengths a seq2seq model is also tried.
const BEYOND: usize = 4;

/// One measured fraction (accuracy or exact match) and what it is.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Figure {
    pub label: String,
    pub value: f32,
}

/// The figures `seq train` recorded in a sidecar (none if it recorded none).
pub fn recorded(meta: &SeqMeta) -> Vec<Figure> {
    serde_json::from_value(meta.training["figures"].clone()).unwrap_or_default()
}

fn figure(label: String, value: f32) -> Figure {
    Figure { label, value }
}

/// Measures `model` the way its demo is judged; `arch` must describe `model` (as a loaded
/// file's sidecar does).
pub fn score(model: &SeqModel, arch: &SeqArch, device: &Device) -> Result<Vec<Figure>> {
    Ok(match (model, arch) {
        (SeqModel::Order(m), SeqArch::Order { level, .. }) => vec![figure(
            format!("test accuracy, {level:?}"),
            evaluate(m, *level, EVAL_N, EVAL_SEED, device),
        )],
        (SeqModel::Echo(m), SeqArch::Echo { delay, chunk, .. }) => vec![figure(
            format!("accuracy at delay {delay} (chunk {chunk})"),
            evaluate_echo(m, *delay, ECHO_LEN, ECHO_STREAMS, EVAL_SEED, device),
        )],
        (
            SeqModel::Seq2seq(m),
            SeqArch::Seq2seq {
                min_len, max_len, ..
            },
        ) => {
            let long = max_len.saturating_sub(2).max(*min_len)..=*max_len;
            let beyond = max_len + 1..=max_len + BEYOND;
            vec![
                figure(
                    format!("exact match, lengths {}–{}", long.start(), long.end()),
                    exact_match(m, long, EVAL_N / 4, EVAL_SEED, device),
                ),
                figure(
                    format!(
                        "exact match, lengths {}–{} (beyond training)",
                        beyond.start(),
                        beyond.end()
                    ),
                    exact_match(m, beyond, EVAL_N / 4, EVAL_SEED, device),
                ),
            ]
        }
        (SeqModel::Memnet(m), SeqArch::Memnet { task, facts, .. }) => vec![figure(
            format!("answer accuracy, {task:?}"),
            memnet::evaluate(m, *task, facts.clone(), EVAL_N, EVAL_SEED, device),
        )],
        _ => {
            return Err(Error::Config(
                "the model and its description belong to different demos".into(),
            ));
        }
    })
}
