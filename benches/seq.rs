//! The Sequences tab's costs on this machine: what the UI thread does per interaction (a
//! gradient-flow probe when the gain slider is let go, a translation per keystroke, the LSTM
//! strips of a new sequence) and what a training step costs in each demo's background run.
//!
//! `cargo bench --bench seq` (needs the bundled models in `models/seq`).

use std::sync::atomic::AtomicBool;

use burn::tensor::Device;
use criterion::{Criterion, criterion_group, criterion_main};
use facecam::seq::cells::CellKind;
use facecam::seq::classifier::SeqClassifier;
use facecam::seq::echo::{EchoConfig, train_echo};
use facecam::seq::inside::strips;
use facecam::seq::memnet::{MemNetTrainConfig, Task, train_memnet};
use facecam::seq::probe::gradient_flow_on;
use facecam::seq::seq2seq::{Seq2SeqTrainConfig, train_seq2seq, translate};
use facecam::seq::tasks::{Level, temporal_order};
use facecam::seq::train::{OrderTrainConfig, train_order};
use facecam::seq::weights::{self, SeqModel};
use rand::SeedableRng;
use rand::rngs::StdRng;

fn bundled(name: &str, device: &Device) -> SeqModel {
    weights::load_bundled(name, device)
        .expect("bundled model")
        .0
}

fn bench_ui_thread(c: &mut Criterion) {
    let device = Device::flex();
    let mut group = c.benchmark_group("seq_ui");
    group.sample_size(20);
    let untrained = SeqClassifier::new(CellKind::Rnn, 16, &device).with_recurrent_gain(2.0);
    group.bench_function("gradient_flow_moderate_b32", |b| {
        b.iter(|| gradient_flow_on(&untrained, Level::Moderate, 32, 17, &device))
    });
    let SeqModel::Seq2seq(s2s) = bundled("seq2seq-attention", &device) else {
        panic!("not a seq2seq model")
    };
    let digits: Vec<usize> = (0..16).map(|i| (i * 7) % 10).collect();
    group.bench_function("translate_16_digits", |b| {
        b.iter(|| translate(&s2s, &digits, &device))
    });
    let SeqModel::Order(lstm) = bundled("order-moderate-lstm", &device) else {
        panic!("not an order model")
    };
    let example = temporal_order(Level::Moderate, &mut StdRng::seed_from_u64(1));
    group.bench_function("lstm_strips_moderate", |b| {
        b.iter(|| strips(&lstm, &example.symbols, &device))
    });
    group.finish();
}

fn bench_training_steps(c: &mut Criterion) {
    let device = Device::flex();
    let cancel = AtomicBool::new(false);
    let mut group = c.benchmark_group("seq_train_10_steps");
    group.sample_size(10);
    let order = OrderTrainConfig {
        kind: CellKind::Lstm,
        level: Level::Moderate,
        steps: 10,
        ..OrderTrainConfig::default()
    };
    group.bench_function("order_lstm16_moderate_b32", |b| {
        b.iter(|| train_order(&order, &device, &mut |_| {}, &cancel).expect("train"))
    });
    let echo = EchoConfig {
        steps: 10,
        ..EchoConfig::default()
    };
    group.bench_function("echo_lstm16_chunk20_b32", |b| {
        b.iter(|| train_echo(&echo, &device, &mut |_| {}, &cancel).expect("train"))
    });
    let s2s = Seq2SeqTrainConfig {
        steps: 10,
        ..Seq2SeqTrainConfig::default_for(true)
    };
    group.bench_function("seq2seq_attention_b32", |b| {
        b.iter(|| train_seq2seq(&s2s, &device, &mut |_| {}, &cancel).expect("train"))
    });
    let mem = MemNetTrainConfig {
        steps: 10,
        ..MemNetTrainConfig::for_task(Task::SingleFact)
    };
    group.bench_function("memnet_2hops_b32", |b| {
        b.iter(|| train_memnet(&mem, &device, &mut |_| {}, &cancel).expect("train"))
    });
    group.finish();
}

criterion_group!(benches, bench_ui_thread, bench_training_steps);
criterion_main!(benches);
