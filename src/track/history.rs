//! The recent past of the shown tracks: trails to draw, and a few earlier frames of each track
//! so that "Not a face" on a track stores several of its crops (a false positive that
//! persisted, seen in several poses and lights, is a better hard negative than one frame).

use std::collections::VecDeque;

use super::TrackedBox;
use crate::Detection;

/// How much past is kept.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HistoryConfig {
    /// Results whose boxes are kept for trails (30 ≈ 1 s of video).
    pub trail_len: usize,
    /// Every how many results a frame is kept for crops.
    pub snapshot_every: usize,
    /// Frames kept for crops (each holds a whole frame's pixels).
    pub snapshots: usize,
}

impl Default for HistoryConfig {
    fn default() -> Self {
        Self {
            trail_len: 30,
            snapshot_every: 4,
            snapshots: 6,
        }
    }
}

/// Past boxes, and a few past frames `F` (cheap to clone: shared pixels).
#[derive(Debug)]
pub struct TrackHistory<F> {
    config: HistoryConfig,
    boxes: VecDeque<Vec<TrackedBox>>,
    snapshots: VecDeque<(F, Vec<TrackedBox>)>,
    pushed: u64,
}

impl<F: Clone> TrackHistory<F> {
    pub fn new(config: HistoryConfig) -> Self {
        Self {
            config,
            boxes: VecDeque::new(),
            snapshots: VecDeque::new(),
            pushed: 0,
        }
    }

    /// Records one result's shown tracks on `frame`.
    pub fn push(&mut self, frame: &F, tracks: &[TrackedBox]) {
        self.boxes.push_back(tracks.to_vec());
        while self.boxes.len() > self.config.trail_len.max(1) {
            self.boxes.pop_front();
        }
        if self
            .pushed
            .is_multiple_of(self.config.snapshot_every.max(1) as u64)
            && !tracks.is_empty()
        {
            self.snapshots.push_back((frame.clone(), tracks.to_vec()));
            while self.snapshots.len() > self.config.snapshots {
                self.snapshots.pop_front();
            }
        }
        self.pushed += 1;
    }

    /// Forgets everything (a new source: old trails would cross the new picture).
    pub fn clear(&mut self) {
        self.boxes.clear();
        self.snapshots.clear();
    }

    /// Track `id`'s box centres over the kept results, oldest first.
    pub fn trail(&self, id: u64) -> Vec<(f32, f32)> {
        self.boxes
            .iter()
            .filter_map(|frame| frame.iter().find(|b| b.id == id))
            .map(|b| (b.x + b.w / 2.0, b.y + b.h / 2.0))
            .collect()
    }

    /// Track `id` in the kept frames, oldest first: what to crop besides the frame on screen.
    pub fn earlier(&self, id: u64) -> Vec<(F, Detection)> {
        self.snapshots
            .iter()
            .filter_map(|(frame, boxes)| {
                let b = boxes.iter().find(|b| b.id == id)?;
                Some((frame.clone(), Detection::from(b)))
            })
            .collect()
    }
}

impl From<&TrackedBox> for Detection {
    fn from(b: &TrackedBox) -> Self {
        Detection {
            x: b.x,
            y: b.y,
            w: b.w,
            h: b.h,
            score: b.score,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tracked(id: u64, x: f32) -> TrackedBox {
        TrackedBox {
            id,
            x,
            y: 10.0,
            w: 20.0,
            h: 20.0,
            score: 1.0,
        }
    }

    #[test]
    fn trails_follow_one_id_and_forget_the_distant_past() {
        let mut h = TrackHistory::new(HistoryConfig {
            trail_len: 3,
            ..HistoryConfig::default()
        });
        for i in 0..5u32 {
            h.push(&i, &[tracked(1, i as f32), tracked(2, 100.0)]);
        }
        // Only the last three results, centres (x + 10, y + 10).
        assert_eq!(h.trail(1), vec![(12.0, 20.0), (13.0, 20.0), (14.0, 20.0)]);
        assert_eq!(h.trail(2).len(), 3);
        assert!(h.trail(9).is_empty());
    }

    #[test]
    fn earlier_frames_of_a_track_are_sampled_and_bounded() {
        let mut h = TrackHistory::new(HistoryConfig {
            trail_len: 30,
            snapshot_every: 2,
            snapshots: 3,
        });
        for i in 0..10u32 {
            // Track 7 appears from frame 4 on.
            let mut boxes = vec![tracked(1, 0.0)];
            if i >= 4 {
                boxes.push(tracked(7, i as f32));
            }
            h.push(&i, &boxes);
        }
        // Frames 0, 2, 4, 6, 8 were kept; the last three remain; 7 is in 4, 6 and 8.
        let frames: Vec<u32> = h.earlier(7).into_iter().map(|(f, _)| f).collect();
        assert_eq!(frames, vec![4, 6, 8]);
        let (_, d) = &h.earlier(7)[2];
        assert_eq!((d.x, d.w), (8.0, 20.0));
        h.clear();
        assert!(h.earlier(1).is_empty() && h.trail(1).is_empty());
    }
}
