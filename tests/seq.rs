//! The sequence demos end to end: the bundled models meet the targets when
//! re-measured, `seq train` / `seq eval` round-trip through files, and bad files are clear
//! errors.

mod common;

use common::{facecam, run_ok};

use burn::tensor::Device;
use facecam::seq::scorecard::{Figure, recorded, score};
use facecam::seq::weights::{self, SeqArch};

/// Loads a bundled model and re-measures it; also checks the figures recorded at training
/// time agree with the new measurement (the same seeds, so the same test data).
fn measured(name: &str) -> (SeqArch, Vec<Figure>) {
    let device = Device::flex();
    let (model, meta) =
        weights::load_bundled(name, &device).unwrap_or_else(|e| panic!("bundled {name}: {e}"));
    let figures = score(&model, &meta.arch, &device).unwrap();
    let recorded = recorded(&meta);
    assert_eq!(recorded.len(), figures.len(), "{name}");
    for (r, f) in recorded.iter().zip(&figures) {
        assert_eq!(r.label, f.label);
        assert!(
            (r.value - f.value).abs() < 0.005,
            "{name}: recorded {r:?}, now {f:?}"
        );
    }
    (meta.arch, figures)
}

#[test]
fn moderate_temporal_order_the_rnn_stays_near_chance_and_the_gated_cells_solve_it() {
    let rnn = measured("order-moderate-rnn").1[0].value;
    let lstm = measured("order-moderate-lstm").1[0].value;
    let gru = measured("order-moderate-gru").1[0].value;
    assert!(rnn < 0.4, "RNN {rnn} (chance 0.25)");
    assert!(lstm >= 0.95, "LSTM {lstm}");
    assert!(gru >= 0.95, "GRU {gru}");
}

#[test]
fn the_shipped_hard_lstm_reaches_99_percent() {
    let (arch, figures) = measured("order-hard-lstm");
    assert!(matches!(arch, SeqArch::Order { .. }));
    assert!(figures[0].value >= 0.99, "{figures:?}");
}

#[test]
fn echo_at_delay_3_with_chunk_20_the_lstm_is_perfect() {
    let (arch, figures) = measured("echo-lstm");
    assert!(
        matches!(
            arch,
            SeqArch::Echo {
                delay: 3,
                chunk: 20,
                ..
            }
        ),
        "{arch:?}"
    );
    assert!(figures[0].value >= 0.999, "{figures:?}");
}

#[test]
fn attention_reverses_long_strings_and_the_bottleneck_model_cannot() {
    let (_, att) = measured("seq2seq-attention");
    let (_, plain) = measured("seq2seq-plain");
    // Figure 0: the longest training lengths; figure 1: beyond them.
    assert!(att[0].value >= 0.95, "{att:?}");
    assert!(plain[0].value < 0.5, "{plain:?}");
    assert!(att[1].value > plain[1].value, "{att:?} vs {plain:?}");
}

#[test]
fn memory_networks_answer_held_out_stories() {
    for name in ["memnet-single", "memnet-two"] {
        let (_, figures) = measured(name);
        assert!(figures[0].value >= 0.95, "{name}: {figures:?}");
    }
}

#[test]
fn seq_train_saves_what_seq_eval_reads_and_bad_files_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.bpk");
    let train = run_ok(
        facecam()
            .args([
                "seq", "train", "memnet", "--steps", "300", "--seed", "3", "--out",
            ])
            .arg(&out),
    );
    let stdout = String::from_utf8_lossy(&train.stdout);
    assert!(stdout.contains("answer accuracy"), "{stdout}");

    let eval = run_ok(facecam().args(["seq", "eval"]).arg(&out));
    let evaluated = String::from_utf8_lossy(&eval.stdout);
    // The same figure line, measured again from the file.
    let line = |s: &str| {
        s.lines()
            .find(|l| l.contains("answer accuracy"))
            .map(str::to_owned)
    };
    assert_eq!(line(&stdout), line(&evaluated), "{stdout}\n{evaluated}");

    // Weights overwritten behind the sidecar's back: the checksum it records no longer fits.
    std::fs::write(&out, b"garbage").unwrap();
    let bad = facecam().args(["seq", "eval"]).arg(&out).output().unwrap();
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(
        err.contains("m.bpk") && err.contains("describes other weights"),
        "{err}"
    );
}
