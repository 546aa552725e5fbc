//! Score maps as pictures: the lecture's multi-scale figure, one small map per pyramid level.

use eframe::egui::{Color32, ColorImage};

use crate::detect::scan::ScoreMap;

/// Map cell → colour: transparent where the network says "no face", through orange to opaque
/// yellow where it is sure. Logits are squashed to probabilities first.
pub fn colour_of(logit: f32) -> Color32 {
    let p = 1.0 / (1.0 + (-logit).exp());
    let alpha = (p * 220.0) as u8;
    let green = (p * p * 255.0) as u8;
    Color32::from_rgba_unmultiplied(255, green, 0, alpha)
}

/// One level's score map as an image, one pixel per cell (stride 4 in that level).
pub fn map_image(map: &ScoreMap) -> ColorImage {
    if map.logits.is_empty() {
        return ColorImage::new([1, 1], vec![Color32::TRANSPARENT]);
    }
    let pixels = map.logits.iter().map(|&l| colour_of(l)).collect();
    ColorImage::new([map.width, map.height], pixels)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confident_cells_are_opaque_and_rejected_ones_nearly_invisible() {
        assert!(colour_of(8.0).a() > 200);
        assert!(colour_of(-8.0).a() < 2);
        let map = ScoreMap {
            width: 3,
            height: 2,
            logits: vec![-9.0, 0.0, 9.0, -9.0, 0.0, 9.0],
        };
        let img = map_image(&map);
        assert_eq!(img.size, [3, 2]);
        assert!(img.pixels[2].a() > img.pixels[1].a() && img.pixels[1].a() > img.pixels[0].a());
    }
}
