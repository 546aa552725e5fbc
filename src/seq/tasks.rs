//! The week-6 sequence tasks as data generators.
//!
//! **Temporal order** (Hochreiter & Schmidhuber 1997, experiment 6a, as in the course
//! practicum): 8 one-hot symbols `X Y a b c d B E`. A sequence is `B`, fillers from `a–d`,
//! `E`, with `X` or `Y` at two random positions t1 < t2; the class is the order of the two
//! (XX, XY, YX, YY). Only a model that carries information across the gap t2 − t1 (and to
//! the end) can solve it.

use rand::RngExt;
use rand::rngs::StdRng;

/// The alphabet, in one-hot order.
pub const SYMBOLS: [char; 8] = ['X', 'Y', 'a', 'b', 'c', 'd', 'B', 'E'];
pub const N_SYMBOLS: usize = SYMBOLS.len();
/// XX, XY, YX, YY.
pub const N_CLASSES: usize = 4;
const X: usize = 0;
const Y: usize = 1;
const BEGIN: usize = 6;
const END: usize = 7;

/// Difficulty levels of the temporal-order task: sequence length range and the ranges the
/// two relevant positions are drawn from (inclusive), as in the 1997 paper / course notebook.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Easy,
    Normal,
    Moderate,
    Hard,
    Nightmare,
}

impl std::str::FromStr for Level {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s.to_ascii_lowercase().as_str() {
            "easy" => Level::Easy,
            "normal" => Level::Normal,
            "moderate" => Level::Moderate,
            "hard" => Level::Hard,
            "nightmare" => Level::Nightmare,
            other => return Err(format!("unknown level {other:?} (easy … nightmare)")),
        })
    }
}

/// Ranges of one level: `(length, t1, t2)`, each `(lo, hi)` inclusive.
pub struct LevelSpec {
    pub length: (usize, usize),
    pub t1: (usize, usize),
    pub t2: (usize, usize),
}

impl Level {
    pub const ALL: [Level; 5] = [
        Level::Easy,
        Level::Normal,
        Level::Moderate,
        Level::Hard,
        Level::Nightmare,
    ];

    pub fn spec(self) -> LevelSpec {
        let (length, t1, t2) = match self {
            Level::Easy => ((7, 8), (1, 2), (4, 5)),
            Level::Normal => ((30, 40), (2, 5), (20, 27)),
            Level::Moderate => ((60, 80), (10, 20), (45, 54)),
            Level::Hard => ((100, 110), (10, 20), (50, 60)),
            Level::Nightmare => ((300, 500), (10, 80), (250, 290)),
        };
        LevelSpec { length, t1, t2 }
    }
}

/// One temporal-order example: symbol indices and its class.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderExample {
    pub symbols: Vec<usize>,
    pub t1: usize,
    pub t2: usize,
    pub class: usize,
}

/// Draws one example of `level`.
pub fn temporal_order(level: Level, rng: &mut StdRng) -> OrderExample {
    let spec = level.spec();
    let len = rng.random_range(spec.length.0..=spec.length.1);
    let t1 = rng.random_range(spec.t1.0..=spec.t1.1);
    let t2 = rng.random_range(spec.t2.0..=spec.t2.1);
    let mut symbols: Vec<usize> = (0..len).map(|_| rng.random_range(2..6)).collect();
    symbols[0] = BEGIN;
    symbols[len - 1] = END;
    let (a, b) = (rng.random_range(X..=Y), rng.random_range(X..=Y));
    symbols[t1] = a;
    symbols[t2] = b;
    OrderExample {
        symbols,
        t1,
        t2,
        class: 2 * a + b,
    }
}

/// A batch padded at the front with zero vectors (all sequences end together, so the
/// classifier reads every one at the last step). Returns one-hot `[B, T, 8]` values
/// (row-major) with `T` the longest length, and the classes.
pub fn one_hot_batch(examples: &[OrderExample]) -> (Vec<f32>, usize, Vec<usize>) {
    let t = examples.iter().map(|e| e.symbols.len()).max().unwrap_or(0);
    let mut x = vec![0.0; examples.len() * t * N_SYMBOLS];
    for (b, e) in examples.iter().enumerate() {
        let pad = t - e.symbols.len();
        for (i, &s) in e.symbols.iter().enumerate() {
            x[(b * t + pad + i) * N_SYMBOLS + s] = 1.0;
        }
    }
    (x, t, examples.iter().map(|e| e.class).collect())
}

/// The symbols of an example as text, e.g. `BbXcaYdE`.
pub fn render(symbols: &[usize]) -> String {
    symbols.iter().map(|&s| SYMBOLS[s]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn examples_respect_their_level_and_the_class_is_the_order() {
        let mut rng = StdRng::seed_from_u64(1);
        for level in Level::ALL {
            let spec = level.spec();
            for _ in 0..200 {
                let e = temporal_order(level, &mut rng);
                let n = e.symbols.len();
                assert!(
                    (spec.length.0..=spec.length.1).contains(&n),
                    "{level:?} length {n}"
                );
                assert!((spec.t1.0..=spec.t1.1).contains(&e.t1));
                assert!((spec.t2.0..=spec.t2.1).contains(&e.t2));
                assert_eq!(e.symbols[0], BEGIN);
                assert_eq!(e.symbols[n - 1], END);
                // Exactly two relevant symbols, at t1 and t2, and the class encodes them.
                let relevant: Vec<usize> = (0..n).filter(|&i| e.symbols[i] <= Y).collect();
                assert_eq!(relevant, vec![e.t1, e.t2]);
                assert_eq!(e.class, 2 * e.symbols[e.t1] + e.symbols[e.t2]);
                assert!(e.symbols.iter().all(|&s| s < N_SYMBOLS));
            }
        }
    }

    #[test]
    fn all_four_classes_occur_about_equally() {
        let mut rng = StdRng::seed_from_u64(2);
        let mut counts = [0usize; N_CLASSES];
        for _ in 0..4000 {
            counts[temporal_order(Level::Easy, &mut rng).class] += 1;
        }
        assert!(
            counts.iter().all(|&c| (850..1150).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn batches_are_front_padded_one_hot() {
        let a = OrderExample {
            symbols: vec![BEGIN, X, 2, END],
            t1: 1,
            t2: 2,
            class: 0,
        };
        let b = OrderExample {
            symbols: vec![BEGIN, Y, X, 3, END],
            t1: 1,
            t2: 2,
            class: 2,
        };
        let (x, t, y) = one_hot_batch(&[a.clone(), b]);
        assert_eq!(t, 5);
        assert_eq!(y, vec![0, 2]);
        // Example 0 starts one step late: step 0 is all zeros, step 1 is 'B'.
        assert!(x[..N_SYMBOLS].iter().all(|&v| v == 0.0));
        assert_eq!(x[N_SYMBOLS + BEGIN], 1.0);
        // Every non-pad step has exactly one 1.
        let ones: f32 = x.iter().sum();
        assert_eq!(ones, 9.0);
        assert_eq!(render(&a.symbols), "BXaE");
    }
}
