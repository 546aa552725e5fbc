//! The video with its boxes (and optionally the score maps) drawn over it.

use eframe::egui::{
    self, Align2, Color32, ColorImage, FontId, Pos2, Rect, Sense, Stroke, StrokeKind,
    TextureHandle, TextureOptions, Ui, Vec2,
};

use super::heatmap::map_image;
use crate::Detection;
use crate::detect::model::{STRIDE, WINDOW};
use crate::live::DetectionResult;
use crate::track::TrackedBox;

/// GPU textures for the frame on screen and its score maps, updated once per new result.
#[derive(Default)]
pub struct VideoView {
    frame: Option<TextureHandle>,
    maps: Vec<TextureHandle>,
    shown_frame: Option<u64>,
}

/// A box to draw over the video: a raw detection or a track.
#[derive(Clone, Debug)]
pub struct DrawnBox {
    pub rect: Detection,
    /// "0.97", or "#3 0.97" for a track.
    pub label: String,
    /// A track's recent centres, oldest first (empty: no trail).
    pub trail: Vec<(f32, f32)>,
}

impl DrawnBox {
    pub fn detection(d: &Detection) -> Self {
        Self {
            rect: *d,
            label: format!("{:.2}", d.probability()),
            trail: Vec::new(),
        }
    }

    pub fn track(t: &TrackedBox, trail: Vec<(f32, f32)>) -> Self {
        let rect = Detection::from(t);
        Self {
            label: format!("#{} {:.2}", t.id, rect.probability()),
            rect,
            trail,
        }
    }
}

/// What the user did on the video this frame.
#[derive(Debug, Default)]
pub struct VideoInteraction {
    /// The user clicked the video this frame ...
    pub clicked: bool,
    /// ... on this box (index into the drawn boxes), or beside all boxes.
    pub clicked_box: Option<usize>,
}

impl VideoView {
    /// Uploads the result's frame (and maps) if it is not the one already on screen.
    pub fn update(&mut self, ctx: &egui::Context, result: &DetectionResult) {
        if self.shown_frame == Some(result.frame.id) {
            return;
        }
        self.shown_frame = Some(result.frame.id);
        let rgb = &result.frame.rgb;
        let image = ColorImage::from_rgb([rgb.width() as usize, rgb.height() as usize], rgb);
        match &mut self.frame {
            Some(t) => t.set(image, TextureOptions::LINEAR),
            None => self.frame = Some(ctx.load_texture("video", image, TextureOptions::LINEAR)),
        }
        // One texture per pyramid level, reused from frame to frame.
        let maps = result.maps.as_deref().map_or(&[][..], Vec::as_slice);
        self.maps.truncate(maps.len());
        for (i, (_, map)) in maps.iter().enumerate() {
            let image = map_image(map);
            match self.maps.get_mut(i) {
                Some(t) => t.set(image, TextureOptions::NEAREST),
                None => self.maps.push(ctx.load_texture(
                    format!("score map {i}"),
                    image,
                    TextureOptions::NEAREST,
                )),
            }
        }
    }

    /// Draws the video scaled to fit the space, `boxes` on top; `selected` is highlighted.
    pub fn show(
        &self,
        ui: &mut Ui,
        result: &DetectionResult,
        boxes: &[DrawnBox],
        selected: Option<usize>,
        hud: &str,
    ) -> VideoInteraction {
        let mut out = VideoInteraction::default();
        let Some(texture) = &self.frame else {
            return out;
        };
        let frame_size = Vec2::new(result.frame.width() as f32, result.frame.height() as f32);
        let strip = if self.maps.is_empty() { 0.0 } else { 110.0 };
        let avail = ui.available_size() - Vec2::new(0.0, strip);
        let scale = (avail.x / frame_size.x)
            .min(avail.y / frame_size.y)
            .max(0.05);
        let (rect, response) = ui.allocate_exact_size(frame_size * scale, Sense::click());
        let painter = ui.painter_at(rect);
        let uv = Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
        painter.image(texture.id(), rect, uv, Color32::WHITE);
        let to_screen = |x: f32, y: f32| rect.min + Vec2::new(x, y) * scale;

        // The finest level's map over the video: cell (i, j) is the window at (4j, 4i) of that
        // level, whose centre is 15 px further in.
        if let (Some(maps), Some(tex)) = (&result.maps, self.maps.first())
            && let Some((spec, map)) = maps.first()
        {
            let half = STRIDE as f32 / 2.0;
            let x0 = (WINDOW as f32 / 2.0 - half) / spec.scale_x;
            let y0 = (WINDOW as f32 / 2.0 - half) / spec.scale_y;
            let w = (map.width * STRIDE) as f32 / spec.scale_x;
            let h = (map.height * STRIDE) as f32 / spec.scale_y;
            let r = Rect::from_min_max(to_screen(x0, y0), to_screen(x0 + w, y0 + h));
            painter.image(tex.id(), r, uv, Color32::WHITE);
        }

        out.clicked = response.clicked();
        for (i, b) in boxes.iter().enumerate() {
            let d = &b.rect;
            let r = Rect::from_min_max(to_screen(d.x, d.y), to_screen(d.x + d.w, d.y + d.h));
            let chosen = selected == Some(i);
            let colour = if chosen {
                Color32::from_rgb(255, 80, 80)
            } else {
                Color32::from_rgb(60, 230, 60)
            };
            if b.trail.len() >= 2 {
                let points = b.trail.iter().map(|&(x, y)| to_screen(x, y)).collect();
                painter.add(egui::Shape::line(
                    points,
                    Stroke::new(1.5, Color32::from_rgba_unmultiplied(250, 210, 60, 200)),
                ));
            }
            painter.rect_stroke(
                r,
                2.0,
                Stroke::new(if chosen { 3.0 } else { 2.0 }, colour),
                StrokeKind::Outside,
            );
            painter.text(
                r.left_top() - Vec2::new(0.0, 2.0),
                Align2::LEFT_BOTTOM,
                &b.label,
                FontId::proportional(13.0),
                colour,
            );
            if let Some(pos) = response.interact_pointer_pos()
                && response.clicked()
                && r.contains(pos)
            {
                out.clicked_box = Some(i);
            }
        }

        // The HUD: dark backing so it reads over any picture.
        let galley =
            painter.layout_no_wrap(hud.to_owned(), FontId::monospace(13.0), Color32::WHITE);
        let at = rect.min + Vec2::splat(6.0);
        painter.rect_filled(
            Rect::from_min_size(at, galley.size()).expand(4.0),
            3.0,
            Color32::from_black_alpha(160),
        );
        painter.galley(at, galley, Color32::WHITE);

        if !self.maps.is_empty() {
            self.show_map_strip(ui, result);
        }
        out
    }

    /// One thumbnail per pyramid level, each labelled with the face size it looks for.
    fn show_map_strip(&self, ui: &mut Ui, result: &DetectionResult) {
        let Some(maps) = &result.maps else { return };
        ui.horizontal(|ui| {
            for ((spec, _), tex) in maps.iter().zip(&self.maps) {
                ui.vertical(|ui| {
                    let size = tex.size_vec2();
                    let scale = (80.0 / size.y).min(120.0 / size.x);
                    let (r, _) = ui.allocate_exact_size(size * scale, Sense::hover());
                    ui.painter().rect_filled(r, 0.0, Color32::from_gray(20));
                    ui.painter().image(
                        tex.id(),
                        r,
                        Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
                        Color32::WHITE,
                    );
                    ui.small(format!("{:.0} px faces", WINDOW as f32 / spec.scale_x));
                });
            }
        });
    }
}
