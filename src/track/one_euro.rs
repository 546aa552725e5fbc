//! The One-Euro filter (Casiez, Roussel & Vogel, CHI 2012): a low-pass filter whose cut-off
//! rises with speed, so a still face's box stops jittering and a moving one does not lag.

/// Filter settings: `min_cutoff` (Hz) sets the smoothing at rest, `beta` how fast the
/// cut-off rises with speed (per pixel per second).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneEuroConfig {
    pub min_cutoff: f32,
    pub beta: f32,
    /// Cut-off for the speed estimate itself (Hz).
    pub d_cutoff: f32,
}

impl Default for OneEuroConfig {
    fn default() -> Self {
        Self {
            min_cutoff: 1.0,
            beta: 0.05,
            d_cutoff: 1.0,
        }
    }
}

/// One filtered value.
#[derive(Clone, Copy, Debug)]
pub struct OneEuro {
    cfg: OneEuroConfig,
    value: f32,
    speed: f32,
}

/// Smoothing factor of an exponential filter with cut-off `cutoff` Hz at time step `dt` s.
fn alpha(cutoff: f32, dt: f32) -> f32 {
    let tau = 1.0 / (std::f32::consts::TAU * cutoff);
    1.0 / (1.0 + tau / dt)
}

impl OneEuro {
    /// A filter starting at `value`.
    pub fn new(value: f32, cfg: OneEuroConfig) -> Self {
        Self {
            cfg,
            value,
            speed: 0.0,
        }
    }

    /// The filtered value after a new sample `x`, `dt` seconds after the last one.
    pub fn filter(&mut self, x: f32, dt: f32) -> f32 {
        let dt = dt.max(1e-4);
        let raw_speed = (x - self.value) / dt;
        self.speed += alpha(self.cfg.d_cutoff, dt) * (raw_speed - self.speed);
        let cutoff = self.cfg.min_cutoff + self.cfg.beta * self.speed.abs();
        self.value += alpha(cutoff, dt) * (x - self.value);
        self.value
    }

    /// A filter with the settings of `like`, at `value` moving at `speed`.
    pub fn with_state(value: f32, speed: f32, like: OneEuro) -> Self {
        Self {
            cfg: like.cfg,
            value,
            speed,
        }
    }

    pub fn value(&self) -> f32 {
        self.value
    }

    /// The smoothed speed (units per second).
    pub fn speed(&self) -> f32 {
        self.speed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noise_at_rest_is_damped_and_a_steady_move_is_followed() {
        let dt = 1.0 / 30.0;
        let mut f = OneEuro::new(100.0, OneEuroConfig::default());
        // ±2 px of alternating noise around a still point: the output moves far less.
        let mut spread = 0.0f32;
        for i in 0..60 {
            let noisy = 100.0 + if i % 2 == 0 { 2.0 } else { -2.0 };
            spread = spread.max((f.filter(noisy, dt) - 100.0).abs());
        }
        assert!(spread < 0.8, "{spread}");
        // A move of 300 px/s: after a second the filter trails by a few pixels only.
        let mut x = 100.0;
        for _ in 0..30 {
            x += 10.0;
            f.filter(x, dt);
        }
        assert!((x - f.value()).abs() < 12.0, "lag {}", x - f.value());
    }
}
