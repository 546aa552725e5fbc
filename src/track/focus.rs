//! Detect-then-track: a full pyramid scan every few frames (and whenever nothing is
//! tracked), and in between only a small pyramid around each track's predicted box, scored
//! by the same network. Between full scans the detector's cost grows with the number of
//! faces, not with the frame's area; a new face appears at the next full scan.

use image::GrayImage;

use crate::detect::nms::nms;
use crate::{Detection, Detector};

/// How often to scan the whole frame, and how much room to give a tracked face.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FocusConfig {
    /// Frames between full scans (6 at 30 fps: a new face shows within 0.2 s).
    pub full_every: usize,
    /// Side of the searched square around a predicted box, in box sides.
    pub context: f32,
    /// Face sizes searched, as shares of the predicted box's side.
    pub scale_range: (f32, f32),
}

impl Default for FocusConfig {
    fn default() -> Self {
        Self {
            full_every: 6,
            context: 2.0,
            scale_range: (0.75, 1.35),
        }
    }
}

/// A detector that scans the whole frame only now and then.
pub struct FocusedDetector {
    detector: Detector,
    config: FocusConfig,
    since_full: usize,
}

impl FocusedDetector {
    pub fn new(detector: Detector, config: FocusConfig) -> Self {
        Self {
            detector,
            config,
            // The first frame is always a full scan.
            since_full: usize::MAX,
        }
    }

    pub fn detector(&self) -> &Detector {
        &self.detector
    }

    /// This frame's detections: a full scan when one is due or `predicted` is empty, else
    /// only around each predicted box. The flag says which.
    pub fn detect(&mut self, gray: &GrayImage, predicted: &[Detection]) -> (Vec<Detection>, bool) {
        self.detect_with(gray, predicted, Detector::detect)
    }

    /// Like `detect`, with `full_scan` doing the full scans (the live pipeline's scan keeps
    /// the score maps for the heat map, and its tests inject faults there).
    pub fn detect_with(
        &mut self,
        gray: &GrayImage,
        predicted: &[Detection],
        full_scan: impl FnOnce(&Detector, &GrayImage) -> Vec<Detection>,
    ) -> (Vec<Detection>, bool) {
        let due = self.since_full.saturating_add(1) >= self.config.full_every;
        if due || predicted.is_empty() {
            self.since_full = 0;
            return (full_scan(&self.detector, gray), true);
        }
        self.since_full += 1;
        let mut found = Vec::new();
        for p in predicted {
            found.extend(self.around(gray, p));
        }
        // Neighbouring faces' regions overlap: merge as a full scan would.
        (nms(found, &self.detector.config().nms), false)
    }

    /// Detections in the square around `p`, in frame coordinates.
    fn around(&self, gray: &GrayImage, p: &Detection) -> Vec<Detection> {
        let side = p.w.max(p.h);
        let half = side * self.config.context / 2.0;
        let (cx, cy) = (p.x + p.w / 2.0, p.y + p.h / 2.0);
        let x0 = (cx - half).max(0.0).floor() as u32;
        let y0 = (cy - half).max(0.0).floor() as u32;
        let x1 = ((cx + half).ceil().max(0.0) as u32).min(gray.width());
        let y1 = ((cy + half).ceil().max(0.0) as u32).min(gray.height());
        if x1 <= x0 + 8 || y1 <= y0 + 8 {
            return Vec::new(); // the box left the frame
        }
        let crop = image::imageops::crop_imm(gray, x0, y0, x1 - x0, y1 - y0).to_image();
        let mut cfg = self.detector.config().clone();
        let (lo, hi) = self.config.scale_range;
        cfg.pyramid.min_face = (side * lo).max(8.0);
        cfg.pyramid.max_face = Some((side * hi).max(cfg.pyramid.min_face));
        // A config the detector refuses (it should not happen) means no detections here.
        let Ok(local) = Detector::new(
            self.detector.model().clone(),
            self.detector.device().clone(),
            cfg,
        ) else {
            return Vec::new();
        };
        local
            .detect(&crop)
            .into_iter()
            .map(|d| Detection {
                x: d.x + x0 as f32,
                y: d.y + y0 as f32,
                ..d
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::weights;
    use crate::live::Frame;
    use crate::live::reel::ReelSource;
    use burn::tensor::Device;

    #[test]
    fn between_full_scans_only_the_tracked_faces_are_looked_at() {
        let device = Device::flex();
        let (net, meta) = weights::load_bundled(&device).unwrap();
        let mut cfg = meta.detector;
        cfg.pyramid.min_face = 40.0;
        let detector = Detector::new(net, device, cfg).unwrap();
        let frame = Frame::new(0, ReelSource::unpaced().unwrap().render(0));
        let full = detector.detect(&frame.gray);
        assert!(full.len() >= 2, "{full:?}");

        let mut focused = FocusedDetector::new(detector, FocusConfig::default());
        let (first, was_full) = focused.detect(&frame.gray, &full[..1]);
        assert!(was_full, "the first frame is a full scan");
        assert_eq!(first, full);
        // Next frame: only the first face is tracked, so only it is found again.
        let (again, was_full) = focused.detect(&frame.gray, &full[..1]);
        assert!(!was_full);
        assert_eq!(again.len(), 1, "{again:?}");
        assert!(again[0].iou(&full[0]) > 0.5, "{again:?} vs {:?}", full[0]);
        // With nothing tracked, it scans everything.
        assert!(focused.detect(&frame.gray, &[]).1);
    }
}
