//! Tracking by detection: each frame's boxes are matched to the tracks' predicted boxes by
//! overlap (greedy, best IoU first), matched tracks are smoothed with One-Euro filters, and
//! hysteresis decides what is shown.
//!
//! - A new detection starts a *tentative* track. It is shown, and gets an id, only after
//!   `confirm_hits` matches in a row; a tentative track that misses once is dropped, so a
//!   one-frame false positive is never drawn.
//! - A confirmed track that misses coasts along its velocity (slowing down) and stays on
//!   screen for up to `max_misses` frames (a face missed for a frame does not blink). Then it
//!   is hidden but remembered for up to `keep_misses` frames: a face that comes back from
//!   behind something within that time gets its old id again.
//! - Prediction uses the filtered velocity, so two faces that cross keep their ids.

use super::one_euro::{OneEuro, OneEuroConfig};
use crate::Detection;

/// Share of its speed a coasting track keeps per missed frame.
const COAST_SLOWDOWN: f32 = 0.85;

/// How detections become tracks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackerConfig {
    /// Least IoU between a track's predicted box and a detection for them to match.
    pub min_iou: f32,
    /// Matches in a row before a track is shown.
    pub confirm_hits: u32,
    /// Missed frames a shown track stays on screen (coasting).
    pub max_misses: u32,
    /// Missed frames a confirmed track is remembered, hidden, to give a returning face its
    /// id back (at least `max_misses`).
    pub keep_misses: u32,
    /// Smoothing of the box centre.
    pub centre: OneEuroConfig,
    /// Smoothing of the box size (faces change size slowly: smooth harder).
    pub size: OneEuroConfig,
}

impl Default for TrackerConfig {
    fn default() -> Self {
        Self {
            min_iou: 0.2,
            confirm_hits: 3,
            max_misses: 4,
            keep_misses: 24,
            centre: OneEuroConfig {
                min_cutoff: 1.0,
                beta: 0.02,
                d_cutoff: 1.0,
            },
            size: OneEuroConfig {
                min_cutoff: 0.8,
                beta: 0.01,
                d_cutoff: 1.0,
            },
        }
    }
}

impl TrackerConfig {
    /// Per-frame detections linked by overlap alone: every detection shown at once, no
    /// coasting, no smoothing (the baseline the tracker is measured against).
    pub fn naive() -> Self {
        let raw = OneEuroConfig {
            min_cutoff: 1e6,
            beta: 0.0,
            d_cutoff: 1.0,
        };
        Self {
            min_iou: 0.2,
            confirm_hits: 1,
            max_misses: 0,
            keep_misses: 0,
            centre: raw,
            size: raw,
        }
    }
}

/// A box on screen with the id of its track.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrackedBox {
    pub id: u64,
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    /// The last matched detection's logit.
    pub score: f32,
}

/// One face followed over frames.
#[derive(Clone, Debug)]
pub struct Track {
    /// Given when the track is confirmed (tentative tracks have none).
    pub id: Option<u64>,
    /// Matches in a row (while tentative) or in all (once confirmed).
    pub hits: u32,
    /// Frames missed in a row.
    pub misses: u32,
    /// Matches in a row.
    pub streak: u32,
    /// A confirmed track off screen after more than `max_misses` misses; it is shown again
    /// after `confirm_hits` matches in a row, as a new track would be.
    pub hidden: bool,
    pub score: f32,
    cx: OneEuro,
    cy: OneEuro,
    w: OneEuro,
    h: OneEuro,
}

impl Track {
    fn new(d: &Detection, cfg: &TrackerConfig) -> Self {
        Self {
            id: None,
            hits: 1,
            misses: 0,
            streak: 1,
            hidden: false,
            score: d.score,
            cx: OneEuro::new(d.x + d.w / 2.0, cfg.centre),
            cy: OneEuro::new(d.y + d.h / 2.0, cfg.centre),
            w: OneEuro::new(d.w, cfg.size),
            h: OneEuro::new(d.h, cfg.size),
        }
    }

    /// Where the box should be `dt` seconds after the last update (constant velocity).
    fn predicted(&self, dt: f32) -> Detection {
        let (w, h) = (self.w.value(), self.h.value());
        let cx = self.cx.value() + self.cx.speed() * dt;
        let cy = self.cy.value() + self.cy.speed() * dt;
        Detection {
            x: cx - w / 2.0,
            y: cy - h / 2.0,
            w,
            h,
            score: self.score,
        }
    }

    fn update(&mut self, d: &Detection, dt: f32) {
        self.cx.filter(d.x + d.w / 2.0, dt);
        self.cy.filter(d.y + d.h / 2.0, dt);
        self.w.filter(d.w, dt);
        self.h.filter(d.h, dt);
        self.score = d.score;
        self.hits += 1;
        self.streak += 1;
        self.misses = 0;
    }

    /// No detection this frame: move on along the velocity, slowing down (an unseen face is
    /// guessed to stop rather than fly off).
    fn coast(&mut self, dt: f32) {
        let p = self.predicted(dt);
        self.cx = OneEuro::with_state(p.x + p.w / 2.0, self.cx.speed() * COAST_SLOWDOWN, self.cx);
        self.cy = OneEuro::with_state(p.y + p.h / 2.0, self.cy.speed() * COAST_SLOWDOWN, self.cy);
        self.misses += 1;
        self.streak = 0;
    }

    /// Hysteresis for a remembered track: hidden after too many misses, back after enough
    /// hits in a row.
    fn update_visibility(&mut self, cfg: &TrackerConfig) {
        if self.misses > cfg.max_misses {
            self.hidden = true;
        } else if self.hidden && self.streak >= cfg.confirm_hits {
            self.hidden = false;
        }
    }

    fn shown(&self) -> Option<TrackedBox> {
        let id = self.id?;
        if self.hidden {
            return None;
        }
        let (w, h) = (self.w.value(), self.h.value());
        Some(TrackedBox {
            id,
            x: self.cx.value() - w / 2.0,
            y: self.cy.value() - h / 2.0,
            w,
            h,
            score: self.score,
        })
    }
}

/// The tracks of one video.
#[derive(Clone, Debug, Default)]
pub struct Tracker {
    pub config: TrackerConfig,
    tracks: Vec<Track>,
    next_id: u64,
}

impl Tracker {
    pub fn new(config: TrackerConfig) -> Self {
        Self {
            config,
            tracks: Vec::new(),
            next_id: 1,
        }
    }

    /// Where every live track (tentative ones included) should be `dt` seconds after the
    /// last frame: where detect-then-track looks.
    pub fn predicted(&self, dt: f32) -> Vec<Detection> {
        self.tracks.iter().map(|t| t.predicted(dt)).collect()
    }

    /// A hard cut to a new shot: every track ends, remembered ones too (a face in the new
    /// shot is a new face, even where an old one was).
    pub fn cut(&mut self) {
        self.tracks.clear();
    }

    /// Every live track, tentative ones included.
    pub fn tracks(&self) -> &[Track] {
        &self.tracks
    }

    /// Takes one frame's detections, `dt` seconds after the last frame; returns the boxes
    /// to show.
    pub fn update(&mut self, detections: &[Detection], dt: f32) -> Vec<TrackedBox> {
        let cfg = self.config;
        // Every (track, detection) pair that overlaps enough, best first.
        let predicted: Vec<Detection> = self.tracks.iter().map(|t| t.predicted(dt)).collect();
        let mut pairs: Vec<(f32, usize, usize)> = predicted
            .iter()
            .enumerate()
            .flat_map(|(i, p)| {
                detections
                    .iter()
                    .enumerate()
                    .map(move |(j, d)| (p.iou(d), i, j))
            })
            .filter(|(iou, _, _)| *iou >= cfg.min_iou)
            .collect();
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut track_taken = vec![false; self.tracks.len()];
        let mut det_taken = vec![false; detections.len()];
        for (_, i, j) in pairs {
            if track_taken[i] || det_taken[j] {
                continue;
            }
            track_taken[i] = true;
            det_taken[j] = true;
            self.tracks[i].update(&detections[j], dt);
        }
        for (track, taken) in self.tracks.iter_mut().zip(&track_taken) {
            if !taken {
                track.coast(dt);
            }
        }
        // Tentative tracks die on their first miss; confirmed ones after `keep_misses`.
        let keep = cfg.keep_misses.max(cfg.max_misses);
        self.tracks.retain(|t| match t.id {
            None => t.misses == 0,
            Some(_) => t.misses <= keep,
        });
        for track in &mut self.tracks {
            track.update_visibility(&cfg);
            if track.id.is_none() && track.hits >= cfg.confirm_hits {
                track.id = Some(self.next_id);
                self.next_id += 1;
            }
        }
        for (d, taken) in detections.iter().zip(&det_taken) {
            if !taken {
                self.tracks.push(Track::new(d, &cfg));
                if cfg.confirm_hits <= 1 {
                    let t = self.tracks.last_mut().expect("just pushed");
                    t.id = Some(self.next_id);
                    self.next_id += 1;
                }
            }
        }
        self.tracks.iter().filter_map(Track::shown).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DT: f32 = 1.0 / 30.0;

    fn face(x: f32, y: f32) -> Detection {
        Detection {
            x,
            y,
            w: 40.0,
            h: 40.0,
            score: 3.0,
        }
    }

    /// Runs `frames` through a default tracker; returns each frame's shown boxes.
    fn run(frames: &[Vec<Detection>]) -> Vec<Vec<TrackedBox>> {
        let mut t = Tracker::new(TrackerConfig::default());
        frames.iter().map(|f| t.update(f, DT)).collect()
    }

    #[test]
    fn ids_stay_put_under_small_motion_and_jitter() {
        let frames: Vec<Vec<Detection>> = (0..60)
            .map(|i| {
                let jitter = if i % 2 == 0 { 1.5 } else { -1.5 };
                vec![face(100.0 + i as f32 * 2.0 + jitter, 80.0 - jitter)]
            })
            .collect();
        let shown = run(&frames);
        let ids: Vec<u64> = shown.iter().flatten().map(|b| b.id).collect();
        assert!(ids.len() >= 55, "{}", ids.len());
        assert!(ids.iter().all(|&id| id == ids[0]));
        // The smoothed centre moves far less frame to frame than the ±1.5 px jitter.
        let steps: Vec<f32> = shown
            .iter()
            .flatten()
            .collect::<Vec<_>>()
            .windows(2)
            .map(|w| (w[1].y - w[0].y).abs())
            .collect();
        let worst = steps[10..].iter().copied().fold(0.0, f32::max);
        assert!(worst < 1.5, "{worst}");
    }

    #[test]
    fn a_one_frame_detection_is_never_shown() {
        let mut frames = vec![vec![]; 10];
        frames[4] = vec![face(50.0, 50.0)];
        frames[7] = vec![face(300.0, 60.0)];
        assert!(run(&frames).iter().all(Vec::is_empty));
    }

    #[test]
    fn a_missed_frame_is_bridged_with_the_same_id() {
        let mut frames: Vec<Vec<Detection>> = (0..20)
            .map(|i| vec![face(100.0 + i as f32, 80.0)])
            .collect();
        frames[10].clear();
        let shown = run(&frames);
        assert!(shown[3..].iter().all(|f| f.len() == 1), "{shown:?}");
        assert!(shown[3..].iter().all(|f| f[0].id == shown[3][0].id));
        // The coasting box kept moving with the face.
        assert!(shown[10][0].x > shown[9][0].x);
    }

    #[test]
    fn a_face_back_from_behind_an_occluder_gets_its_id_back() {
        let mut frames: Vec<Vec<Detection>> = (0..40)
            .map(|i| vec![face(100.0 + i as f32, 80.0)])
            .collect();
        for f in &mut frames[15..27] {
            f.clear(); // hidden for 12 frames
        }
        let shown = run(&frames);
        let id = shown[10][0].id;
        // On screen while coasting, then hidden, then back under the same id once seen in
        // three frames in a row (frames 27, 28, 29).
        assert_eq!(shown[18].len(), 1);
        assert!(shown[20..29].iter().all(Vec::is_empty), "{shown:?}");
        assert!(
            shown[29..].iter().all(|f| f.len() == 1 && f[0].id == id),
            "{shown:?}"
        );
    }

    #[test]
    fn two_crossing_faces_keep_their_ids() {
        // One moves right, the other left, on nearly the same row; they pass through each
        // other around frame 25.
        let frames: Vec<Vec<Detection>> = (0..50)
            .map(|i| {
                let t = i as f32;
                vec![face(0.0 + 8.0 * t, 100.0), face(400.0 - 8.0 * t, 104.0)]
            })
            .collect();
        let shown = run(&frames);
        // The id of the box nearest where the right-mover (or the left-mover) is.
        let id_near = |frame: usize, x: f32| {
            let f = &shown[frame];
            assert_eq!(f.len(), 2, "frame {frame}: {f:?}");
            let d = |b: &TrackedBox| (b.x - x).abs();
            if d(&f[0]) < d(&f[1]) {
                f[0].id
            } else {
                f[1].id
            }
        };
        let right_mover = |frame: usize| id_near(frame, 8.0 * frame as f32);
        let left_mover = |frame: usize| id_near(frame, 400.0 - 8.0 * frame as f32);
        assert_ne!(right_mover(10), left_mover(10));
        assert_eq!(right_mover(10), right_mover(45));
        assert_eq!(left_mover(10), left_mover(45));
    }

    #[test]
    fn a_hard_cut_ends_old_tracks_and_starts_new_ids() {
        let mut frames: Vec<Vec<Detection>> = (0..20).map(|_| vec![face(100.0, 100.0)]).collect();
        frames.extend((0..20).map(|_| vec![face(400.0, 300.0)]));
        let shown = run(&frames);
        let before = shown[15][0].id;
        let after = shown[39][0].id;
        assert_ne!(before, after);
        // The old box is gone once its coasting ends.
        assert!(shown[30].iter().all(|b| b.id != before));
    }

    #[test]
    fn after_a_cut_a_face_in_the_same_place_is_a_new_track() {
        let mut t = Tracker::new(TrackerConfig::default());
        let shown: Vec<_> = (0..10)
            .map(|_| t.update(&[face(100.0, 100.0)], DT))
            .collect();
        let before = shown[9][0].id;
        t.cut();
        assert!(t.tracks().is_empty());
        // The new shot's face is hidden until confirmed, then shown under a new id.
        let after: Vec<_> = (0..5)
            .map(|_| t.update(&[face(102.0, 100.0)], DT))
            .collect();
        assert!(after[0].is_empty() && after[1].is_empty(), "{after:?}");
        assert!(after[2..].iter().all(|f| f.len() == 1 && f[0].id != before));
    }
}
