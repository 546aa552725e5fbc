//! Smoothed figures for the HUD: an exponential moving average and a rate counter.

use std::time::Instant;

/// An exponential moving average that starts from its first sample.
#[derive(Clone, Debug, Default)]
pub struct Smoothed {
    value: Option<f32>,
}

impl Smoothed {
    /// Weight of a new sample: about the last ten samples dominate.
    const ALPHA: f32 = 0.1;

    pub fn add(&mut self, sample: f32) {
        self.value = Some(match self.value {
            None => sample,
            Some(v) => v + Self::ALPHA * (sample - v),
        });
    }

    pub fn get(&self) -> Option<f32> {
        self.value
    }
}

/// Events per second, from the time between successive events.
#[derive(Clone, Debug, Default)]
pub struct Rate {
    last: Option<Instant>,
    per_second: Smoothed,
}

impl Rate {
    pub fn tick(&mut self, now: Instant) {
        if let Some(last) = self.last {
            let dt = (now - last).as_secs_f32();
            if dt > 0.0 {
                self.per_second.add(1.0 / dt);
            }
        }
        self.last = Some(now);
    }

    pub fn get(&self) -> Option<f32> {
        self.per_second.get()
    }
}

/// Every sample (up to a cap), for the medians of a run summary.
#[derive(Clone, Debug, Default)]
pub struct Samples(Vec<f32>);

impl Samples {
    const CAP: usize = 100_000;

    pub fn add(&mut self, v: f32) {
        if self.0.len() < Self::CAP {
            self.0.push(v);
        }
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn median(&self) -> Option<f32> {
        let mut v = self.0.clone();
        v.sort_by(f32::total_cmp);
        v.get(v.len() / 2).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn smoothing_moves_towards_new_samples() {
        let mut s = Smoothed::default();
        assert_eq!(s.get(), None);
        s.add(10.0);
        assert_eq!(s.get(), Some(10.0));
        s.add(20.0);
        assert!((s.get().unwrap() - 11.0).abs() < 1e-5);
    }

    #[test]
    fn the_median_ignores_outliers() {
        let mut s = Samples::default();
        assert_eq!(s.median(), None);
        for v in [5.0, 1.0, 1000.0, 3.0, 4.0] {
            s.add(v);
        }
        assert_eq!(s.median(), Some(4.0));
    }

    #[test]
    fn a_steady_rate_reads_as_itself() {
        let mut r = Rate::default();
        let t0 = Instant::now();
        for i in 0..20 {
            r.tick(t0 + Duration::from_millis(40 * i));
        }
        assert!((r.get().unwrap() - 25.0).abs() < 0.01);
    }
}
