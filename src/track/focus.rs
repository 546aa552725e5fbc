//! Detect-then-track: a full pyramid scan every few frames (and whenever nothing is
//! tracked), and in between only a small pyramid around each track's predicted box, scored
//! by the same network. Between full scans the detector's cost grows with the number of
//! faces, not with the frame's area; a new face appears at the next full scan.

use image::GrayImage;
use rayon::prelude::*;

use crate::detect::nms::{NmsConfig, nms};
use crate::{Detection, Detector};

/// How often to scan the whole frame, and how much room to give a tracked face.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FocusConfig {
    /// Frames between full scans (6 at 30 fps: a new face shows within 0.2 s).
    pub full_every: usize,
    /// Side of the searched square around a predicted box, in box sides.
    pub context: f32,
    /// Face sizes searched, as shares of the predicted box's side. Wider upwards: the net
    /// also answers, a little less strongly, to a box about 0.7 of a face's side (the inner
    /// face), and a track that starts on one must be able to reach the whole face.
    pub scale_range: (f32, f32),
}

impl Default for FocusConfig {
    fn default() -> Self {
        Self {
            full_every: 6,
            context: 2.0,
            scale_range: (0.8, 1.6),
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
        let (w, h) = (gray.width() as f32, gray.height() as f32);
        let regions: Vec<Region> = predicted
            .iter()
            .filter_map(|p| Region::around(p, &self.config, w, h))
            .collect();
        // One task per region: each one's few small levels are too little work to keep both
        // cores busy on their own.
        let found: Vec<Detection> = merged(regions)
            .par_iter()
            .flat_map_iter(|r| self.search(gray, r))
            .collect();
        // Neighbouring faces' regions overlap: merge as a full scan would, but without support:
        // these boxes already carry their own, and a face found twice is not two votes.
        let merge = NmsConfig {
            support_floor: None,
            ..self.detector.config().nms.clone()
        };
        (nms(found, &merge), false)
    }

    /// Detections in `region`, in frame coordinates.
    fn search(&self, gray: &GrayImage, region: &Region) -> Vec<Detection> {
        let (x0, y0) = (region.x0 as u32, region.y0 as u32);
        let (w, h) = (
            (region.x1 - region.x0) as u32,
            (region.y1 - region.y0) as u32,
        );
        let crop = image::imageops::crop_imm(gray, x0, y0, w, h).to_image();
        let mut cfg = self.detector.config().clone();
        cfg.pyramid.min_face = region.min_face;
        cfg.pyramid.max_face = Some(region.max_face);
        // A config the detector refuses (it should not happen) means no detections here.
        let Ok(local) = self.detector.with_config(cfg) else {
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

/// A part of the frame to search, in whole pixels inside the frame, and the face sides to look
/// for in it.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Region {
    x0: f32,
    y0: f32,
    x1: f32,
    y1: f32,
    min_face: f32,
    max_face: f32,
}

impl Region {
    /// The square around a predicted box, cut to the frame; `None` once the box has left it.
    fn around(p: &Detection, config: &FocusConfig, frame_w: f32, frame_h: f32) -> Option<Self> {
        let side = p.w.max(p.h);
        let half = side * config.context / 2.0;
        let (cx, cy) = (p.x + p.w / 2.0, p.y + p.h / 2.0);
        let region = Self {
            x0: (cx - half).max(0.0).floor(),
            y0: (cy - half).max(0.0).floor(),
            x1: (cx + half).min(frame_w).ceil(),
            y1: (cy + half).min(frame_h).ceil(),
            min_face: (side * config.scale_range.0).max(8.0),
            max_face: (side * config.scale_range.1).max(8.0),
        };
        (region.x1 > region.x0 + 8.0 && region.y1 > region.y0 + 8.0).then_some(region)
    }

    fn area(&self) -> f32 {
        (self.x1 - self.x0) * (self.y1 - self.y0)
    }

    fn union(&self, other: &Self) -> Self {
        Self {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
            min_face: self.min_face.min(other.min_face),
            max_face: self.max_face.max(other.max_face),
        }
    }

    /// Whether one search over both costs no more than two: their bounding box is no larger
    /// than the two apart, and they look for overlapping face sizes.
    fn merges_with(&self, other: &Self) -> bool {
        self.union(other).area() <= self.area() + other.area()
            && self.min_face <= other.max_face
            && other.min_face <= self.max_face
    }
}

/// `regions` with every pair that `merges_with` each other joined, until none is left: faces
/// side by side in a group photo are searched once, not each with its neighbours again.
fn merged(mut regions: Vec<Region>) -> Vec<Region> {
    let mut i = 0;
    while i < regions.len() {
        match (i + 1..regions.len()).find(|&j| regions[i].merges_with(&regions[j])) {
            Some(j) => {
                let other = regions.swap_remove(j);
                regions[i] = regions[i].union(&other);
                i = 0; // the grown region may now reach an earlier one
            }
            None => i += 1,
        }
    }
    regions
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

    fn face(x: f32, y: f32, side: f32) -> Detection {
        Detection {
            x,
            y,
            w: side,
            h: side,
            score: 1.0,
        }
    }

    #[test]
    fn neighbouring_faces_are_searched_as_one_region_and_distant_ones_apart() {
        let config = FocusConfig::default();
        let region = |d: Detection| Region::around(&d, &config, 640.0, 480.0).unwrap();
        // Two 40 px faces side by side (a group photo) and one far away.
        let left = region(face(100.0, 100.0, 40.0));
        let right = region(face(140.0, 102.0, 40.0));
        let far = region(face(500.0, 300.0, 40.0));
        let regions = merged(vec![left, far, right]);
        assert_eq!(regions.len(), 2, "{regions:?}");
        let joined = regions.iter().find(|r| r.x0 < 200.0).unwrap();
        assert_eq!(*joined, left.union(&right));
        assert!(joined.area() < left.area() + right.area());
        assert!(regions.contains(&far));
        // A small face next to a large one: their sizes do not overlap, so no merge.
        let small = region(face(100.0, 100.0, 20.0));
        let large = region(face(105.0, 95.0, 60.0));
        assert_eq!(merged(vec![small, large]).len(), 2);
        // A box that has left the frame gives no region.
        assert!(Region::around(&face(700.0, 100.0, 40.0), &config, 640.0, 480.0).is_none());
    }
}
