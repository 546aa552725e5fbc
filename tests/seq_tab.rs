//! The sequence tab, driven headlessly with egui_kittest: every demo opens with its bundled
//! result, and a training run started from the UI finishes and answers in the view.
#![cfg(feature = "gui")]

use std::time::{Duration, Instant};

use eframe::egui::Vec2;
use eframe::egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use facecam::app::seq_tab::SeqTab;

fn harness() -> Harness<'static, SeqTab> {
    Harness::builder()
        .with_size(Vec2::new(1280.0, 2000.0))
        .build_ui_state(|ui, tab: &mut SeqTab| tab.show(ui), SeqTab::default())
}

fn shows(h: &Harness<'_, SeqTab>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

#[test]
fn every_demo_opens_with_its_bundled_result() {
    let mut h = harness();
    h.run();
    for (demo, expected) in [
        ("RNN vs LSTM vs GRU", "order-hard-lstm: test accuracy, Hard"),
        ("Gradient flow (BPTT)", "Train with plain SGD"),
        ("Inside an LSTM", "forget gate f"),
        ("Echo / truncated BPTT", "echo-lstm: accuracy at delay 3"),
        ("Seq2seq + attention", "seq2seq-attention: exact match"),
        ("Memory network", "memnet-single: answer accuracy"),
    ] {
        h.get_by_label(demo).click();
        h.run();
        assert!(shows(&h, expected), "{demo}: no {expected:?}");
        assert!(
            !shows(&h, "cannot load weights"),
            "{demo}: a bundled model failed"
        );
    }
    // The bundled models answer on screen: the seq2seq view shows both of them.
    h.get_by_label("Seq2seq + attention").click();
    h.run();
    assert!(shows(&h, "bundled, with attention: "));
    assert!(shows(&h, "bundled, without attention: "));
}

#[test]
fn the_gain_slider_and_a_long_digit_string_are_handled() {
    let mut h = harness();
    h.run();
    h.get_by_label("Gradient flow (BPTT)").click();
    h.run();
    // A new gain rebuilds three untrained cells on the plain CPU device and probes them.
    h.get_by_role_and_label(Role::Slider, "recurrent init gain")
        .set_value_accesskit(3.0);
    h.run();
    assert!(shows(&h, "Train with plain SGD"));

    h.get_by_label("Seq2seq + attention").click();
    h.run();
    h.get_by_role_and_label(Role::TextInput, "digits").focus();
    h.run();
    let pasted = "1234567890".repeat(100);
    h.get_by_role_and_label(Role::TextInput, "digits")
        .type_text(&pasted);
    h.run();
    // The box keeps 30 characters; the models answered without freezing.
    let kept = h
        .get_by_role_and_label(Role::TextInput, "digits")
        .value()
        .unwrap_or_default();
    assert_eq!(kept.chars().count(), 30, "{kept}");
    assert!(shows(&h, "bundled, with attention: "));
}

#[test]
fn a_memory_network_trained_from_the_tab_answers_the_story() {
    let mut h = harness();
    h.run();
    h.get_by_label("Memory network").click();
    h.run();
    assert!(!shows(&h, "yours: "));
    h.get_by_label("Train on this task").click();
    let start = Instant::now();
    while !shows(&h, "yours: ") {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "training never finished"
        );
        std::thread::sleep(Duration::from_millis(50));
        h.step();
    }
    assert!(!h.state().training());
    // …and answers it right (task 1 trains to about 99.9 %).
    // The answer lines (the grid's column header also starts with "yours: ").
    let text = |prefix: &str| {
        h.query_all_by_label_contains(prefix)
            .filter_map(|n| n.value())
            .find(|v| v.starts_with(prefix) && !v.contains("hops"))
            .unwrap_or_default()
    };
    let truth = text("answer: ");
    let yours = text("yours: ");
    let word = |s: &str| s.split_whitespace().nth(1).map(str::to_owned);
    assert!(word(&truth).is_some(), "{truth}");
    assert_eq!(word(&truth), word(&yours), "{truth} / {yours}");
}
