//! Which files are held out: decided by a hash of the file name, not by the training seed, so
//! the trainer and the validation-scene builder always agree on what the model never saw.

/// FNV-1a, 64 bit: stable across platforms and releases (unlike `DefaultHasher`).
pub fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// True for the `percent` % of names held out for validation.
pub fn is_held_out(name: &str, percent: u64) -> bool {
    fnv1a(name) % 100 < percent
}

/// Share of face crops held out, in percent.
pub const FACE_HOLDOUT: u64 = 10;
/// Share of face-free scenes held out, in percent.
pub const SCENE_HOLDOUT: u64 = 15;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_stable_and_roughly_the_asked_share() {
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
        let held = (0..10_000)
            .filter(|i| is_held_out(&format!("face{i:05}.png"), 10))
            .count();
        assert!((800..1200).contains(&held), "{held}");
    }
}
