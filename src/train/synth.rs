//! Synthetic face-free pages, rendered by the project itself: printed text in two typefaces
//! at every size, rotation and contrast, symbols (card pips, stars, arrows), line art and
//! hatching, grids and halftone screens. On scanned pages these are what fooled the detector
//! first (a printed "A", "H" or "4", playing-card pips, a pen drawing), and a few thousand
//! real graphics images cannot show every letter at every size. The trainer adds the pages
//! to its face-free scenes, so bootstrapping mines them like any other.

use ab_glyph::{FontRef, PxScale};
use image::{GrayImage, Luma};
use imageproc::drawing::{
    draw_filled_circle_mut, draw_filled_ellipse_mut, draw_hollow_circle_mut,
    draw_hollow_ellipse_mut, draw_hollow_rect_mut, draw_line_segment_mut, draw_text_mut,
};
use imageproc::geometric_transformations::{Border, Interpolation, rotate_about_center};
use imageproc::rect::Rect;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;

/// Side of a synthetic page, pixels: large enough for the biggest glyphs and the pyramid's
/// coarse levels, small enough that hundreds of pages cost little to mine.
pub const PAGE_SIDE: u32 = 320;

/// Characters printed text is drawn from.
const TEXT: &str =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789&@#%$?!()[]{}+-=/*:;";
/// Symbols: card pips, stars, shapes, arrows, from the emoji font's monochrome outlines or
/// the text fonts. No smileys: a drawn face is still a face.
const SYMBOLS: &[char] = &[
    '♠', '♣', '♥', '♦', '✖', '⚫', '❖', '◆', '■', '▲', '▼', '➔', '⬆', '⚓', '☀', '✈', '●', '○',
    '◊', '†', '‡', '§', '¶', '©', '®', '→', '↑', '∞', '≈', '√',
];

/// The fonts bundled with egui (`epaint_default_fonts`): Ubuntu Light, Hack, Noto Emoji.
struct Fonts {
    text: [FontRef<'static>; 2],
    symbols: FontRef<'static>,
}

impl Fonts {
    /// The first font with a glyph for `c`: the emoji font, then the text fonts.
    fn with_glyph(&self, c: char) -> Option<&FontRef<'static>> {
        use ab_glyph::Font;
        std::iter::once(&self.symbols)
            .chain(&self.text)
            .find(|f| f.glyph_id(c).0 != 0)
    }
}

impl Fonts {
    fn load() -> Self {
        // The bytes are compiled in and known-good: a parse failure is a build defect.
        let parse = |bytes: &'static [u8]| {
            FontRef::try_from_slice(bytes).expect("bundled fonts are valid TrueType")
        };
        Self {
            text: [
                parse(epaint_default_fonts::UBUNTU_LIGHT),
                parse(epaint_default_fonts::HACK_REGULAR),
            ],
            symbols: parse(epaint_default_fonts::NOTO_EMOJI_REGULAR),
        }
    }
}

/// `n` pages, page `i` from seed `seed + i` (the same pages on every machine and thread
/// count).
pub fn pages(n: usize, seed: u64) -> Vec<GrayImage> {
    let fonts = Fonts::load();
    (0..n)
        .into_par_iter()
        .map(|i| {
            page(
                &fonts,
                &mut StdRng::seed_from_u64(seed.wrapping_add(i as u64)),
            )
        })
        .collect()
}

/// One page: paper of a random tone, then 3–11 items of ink at random contrast.
fn page(fonts: &Fonts, rng: &mut StdRng) -> GrayImage {
    let paper: u8 = if rng.random_bool(0.15) {
        rng.random_range(0..90) // white on dark, as on covers and screens
    } else {
        rng.random_range(140..=255)
    };
    let mut img = GrayImage::from_pixel(PAGE_SIDE, PAGE_SIDE, Luma([paper]));
    for _ in 0..rng.random_range(3..12) {
        let ink = ink_for(paper, rng);
        match rng.random_range(0..10) {
            0..=3 => text(&mut img, fonts, ink, rng),
            4 => symbols(&mut img, fonts, ink, rng),
            5 => shapes(&mut img, ink, rng),
            6 => hatching(&mut img, ink, rng),
            7 => grid(&mut img, ink, rng),
            _ => halftone(&mut img, ink, rng),
        }
    }
    img
}

/// An ink tone that differs from the paper by 25–255 levels (faint print to full black).
fn ink_for(paper: u8, rng: &mut StdRng) -> u8 {
    let contrast: i32 = rng.random_range(25..=255);
    let paper = paper as i32;
    let ink = if paper >= 128 {
        paper - contrast
    } else {
        paper + contrast
    };
    ink.clamp(0, 255) as u8
}

/// A random point on the page (may start a little outside, so items get cut by the edge).
fn anywhere(rng: &mut StdRng) -> (i32, i32) {
    let side = PAGE_SIDE as i32;
    (
        rng.random_range(-side / 8..side),
        rng.random_range(-side / 8..side),
    )
}

/// A size drawn log-uniformly in `[lo, hi)`: small print is as common as headlines.
fn log_uniform(rng: &mut StdRng, lo: f32, hi: f32) -> f32 {
    lo * (hi / lo).powf(rng.random::<f32>())
}

/// A line or a paragraph of random characters, possibly fake-bold, rotated as a whole.
fn text(img: &mut GrayImage, fonts: &Fonts, ink: u8, rng: &mut StdRng) {
    let font = &fonts.text[rng.random_range(0..fonts.text.len())];
    let size = log_uniform(rng, 8.0, 96.0);
    let chars: Vec<char> = TEXT.chars().collect();
    let lines = if size < 24.0 {
        rng.random_range(1..8)
    } else {
        1
    };
    let per_line = rng.random_range(1..14);
    let bold = rng.random_bool(0.3);
    let (x, y) = anywhere(rng);
    let mut mask = GrayImage::new(PAGE_SIDE, PAGE_SIDE);
    for line in 0..lines {
        let s: String = (0..per_line)
            .map(|_| chars[rng.random_range(0..chars.len())])
            .collect();
        let y = y + (line as f32 * size * 1.2) as i32;
        draw_text_mut(&mut mask, Luma([255]), x, y, PxScale::from(size), font, &s);
        if bold {
            draw_text_mut(
                &mut mask,
                Luma([255]),
                x + 1,
                y,
                PxScale::from(size),
                font,
                &s,
            );
        }
    }
    stamp(img, &rotated(mask, rng), ink);
}

/// One to four symbols (pips, stars, arrows), large or small, rotated.
fn symbols(img: &mut GrayImage, fonts: &Fonts, ink: u8, rng: &mut StdRng) {
    let size = log_uniform(rng, 10.0, 110.0);
    let (x, y) = anywhere(rng);
    let mut mask = GrayImage::new(PAGE_SIDE, PAGE_SIDE);
    for k in 0..rng.random_range(1..5) {
        let c = SYMBOLS[rng.random_range(0..SYMBOLS.len())];
        if let Some(font) = fonts.with_glyph(c) {
            let x = x + (k as f32 * size) as i32;
            draw_text_mut(
                &mut mask,
                Luma([255]),
                x,
                y,
                PxScale::from(size),
                font,
                &c.to_string(),
            );
        }
    }
    stamp(img, &rotated(mask, rng), ink);
}

/// Line art: circles, ellipses, rectangles and strokes, hollow or filled.
fn shapes(img: &mut GrayImage, ink: u8, rng: &mut StdRng) {
    for _ in 0..rng.random_range(1..6) {
        let (x, y) = anywhere(rng);
        let r = log_uniform(rng, 3.0, 80.0) as i32;
        let colour = Luma([ink]);
        match rng.random_range(0..6) {
            0 => draw_hollow_circle_mut(img, (x, y), r, colour),
            1 => draw_filled_circle_mut(img, (x, y), r, colour),
            2 => draw_hollow_ellipse_mut(img, (x, y), r, rng.random_range(2..=r.max(2)), colour),
            3 => draw_filled_ellipse_mut(img, (x, y), rng.random_range(2..=r.max(2)), r, colour),
            4 => draw_hollow_rect_mut(
                img,
                Rect::at(x, y).of_size(r as u32 * 2, rng.random_range(4..=2 * r.max(2)) as u32),
                colour,
            ),
            _ => {
                let (x2, y2) = anywhere(rng);
                draw_line_segment_mut(img, (x as f32, y as f32), (x2 as f32, y2 as f32), colour);
            }
        }
    }
}

/// Parallel strokes 2–7 px apart across a patch, as in engravings and pen shading.
fn hatching(img: &mut GrayImage, ink: u8, rng: &mut StdRng) {
    let (x0, y0) = anywhere(rng);
    let side = log_uniform(rng, 20.0, 160.0);
    let spacing = rng.random_range(2.0..7.0f32);
    let angle = rng.random_range(0.0..std::f32::consts::PI);
    let (dx, dy) = (angle.cos(), angle.sin());
    let (cx, cy) = (x0 as f32 + side / 2.0, y0 as f32 + side / 2.0);
    let mut offset = -side / 2.0;
    while offset < side / 2.0 {
        // A stroke along (dx, dy), shifted across it by `offset`.
        let (ox, oy) = (cx - dy * offset, cy + dx * offset);
        let half = side / 2.0;
        draw_line_segment_mut(
            img,
            (ox - dx * half, oy - dy * half),
            (ox + dx * half, oy + dy * half),
            Luma([ink]),
        );
        offset += spacing;
    }
}

/// A ruled grid or a table: lines 5–40 px apart over a region.
fn grid(img: &mut GrayImage, ink: u8, rng: &mut StdRng) {
    let (x0, y0) = anywhere(rng);
    let (w, h) = (log_uniform(rng, 30.0, 300.0), log_uniform(rng, 30.0, 300.0));
    let (sx, sy) = (
        rng.random_range(5.0..40.0f32),
        rng.random_range(5.0..40.0f32),
    );
    let (x0, y0) = (x0 as f32, y0 as f32);
    let mut x = x0;
    while x <= x0 + w {
        draw_line_segment_mut(img, (x, y0), (x, y0 + h), Luma([ink]));
        x += sx;
    }
    let mut y = y0;
    while y <= y0 + h {
        draw_line_segment_mut(img, (x0, y), (x0 + w, y), Luma([ink]));
        y += sy;
    }
}

/// A halftone screen: dots on a 3–9 px lattice whose radius follows a smooth random tone,
/// as printed photos and shading look up close.
fn halftone(img: &mut GrayImage, ink: u8, rng: &mut StdRng) {
    let (x0, y0) = anywhere(rng);
    let side = log_uniform(rng, 30.0, 240.0);
    let period = rng.random_range(3.0..9.0f32);
    let (fx, fy, phase) = (
        rng.random_range(0.005..0.06f32),
        rng.random_range(0.005..0.06f32),
        rng.random_range(0.0..6.3f32),
    );
    let mut y = y0 as f32;
    while y < y0 as f32 + side {
        let mut x = x0 as f32;
        while x < x0 as f32 + side {
            let tone = 0.5 + 0.5 * (x * fx + y * fy + phase).sin() * (y * fx - x * fy).cos();
            let r = (tone * period * 0.55) as i32;
            if r > 0 {
                draw_filled_circle_mut(img, (x as i32, y as i32), r, Luma([ink]));
            } else if tone > 0.15
                && let Some(p) = img.get_pixel_mut_checked(x as u32, y as u32)
            {
                *p = Luma([ink]);
            }
            x += period;
        }
        y += period;
    }
}

/// `mask` turned by up to ±35° about the page centre (mostly nearly upright, as printed).
fn rotated(mask: GrayImage, rng: &mut StdRng) -> GrayImage {
    let angle = if rng.random_bool(0.5) {
        rng.random_range(-0.08..0.08f32)
    } else {
        rng.random_range(-0.6..0.6f32)
    };
    rotate_about_center(
        &mask,
        angle,
        Interpolation::Bilinear,
        Border::Constant(Luma([0])),
    )
}

/// Blends `ink` into `img` with `mask` as coverage (0 = paper, 255 = ink): anti-aliased
/// edges stay anti-aliased.
fn stamp(img: &mut GrayImage, mask: &GrayImage, ink: u8) {
    for (p, m) in img.pixels_mut().zip(mask.pixels()) {
        let a = m.0[0] as f32 / 255.0;
        p.0[0] = (p.0[0] as f32 + (ink as f32 - p.0[0] as f32) * a).round() as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_reproducible_and_inked() {
        let a = pages(6, 42);
        let b = pages(6, 42);
        assert_eq!(a, b, "the same seed must give the same pages");
        assert_ne!(a[0], a[1], "pages differ from each other");
        for page in &a {
            assert_eq!(page.dimensions(), (PAGE_SIDE, PAGE_SIDE));
            // Something was drawn: the page is not one flat tone.
            let (lo, hi) = page
                .pixels()
                .fold((255u8, 0u8), |(lo, hi), p| (lo.min(p.0[0]), hi.max(p.0[0])));
            assert!(hi - lo >= 25, "flat page: {lo}..{hi}");
        }
    }

    #[test]
    fn the_fonts_have_every_glyph_drawn() {
        use ab_glyph::Font;
        let fonts = Fonts::load();
        for c in TEXT.chars() {
            for font in &fonts.text {
                assert_ne!(font.glyph_id(c).0, 0, "no glyph for {c:?}");
            }
        }
        let missing: Vec<char> = SYMBOLS
            .iter()
            .copied()
            .filter(|&c| fonts.with_glyph(c).is_none())
            .collect();
        assert!(missing.is_empty(), "no symbol glyphs for {missing:?}");
    }

    #[test]
    fn text_is_drawn_in_the_ink_tone() {
        let fonts = Fonts::load();
        let mut img = GrayImage::from_pixel(PAGE_SIDE, PAGE_SIDE, Luma([255]));
        let mut mask = GrayImage::new(PAGE_SIDE, PAGE_SIDE);
        draw_text_mut(
            &mut mask,
            Luma([255]),
            20,
            20,
            PxScale::from(60.0),
            &fonts.text[0],
            "H",
        );
        stamp(&mut img, &mask, 0);
        let dark = img.pixels().filter(|p| p.0[0] < 64).count();
        // An "H" 60 px tall in a light face: two stems and a bar, a few hundred pixels.
        assert!((100..3000).contains(&dark), "{dark} dark pixels");
    }
}
