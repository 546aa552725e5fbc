//! Face tracks across video frames: detections associated frame to frame, stable ids,
//! smoothed boxes, and hysteresis so a one-frame false positive is never drawn and a face
//! missed for a frame does not blink. A hard cut between shots ends every track.

pub mod clips;
pub mod cut;
pub mod focus;
pub mod history;
pub mod metrics;
pub mod one_euro;
pub mod tracker;

pub use cut::CutDetector;
pub use focus::{FocusConfig, FocusedDetector};
pub use history::{HistoryConfig, TrackHistory};
pub use tracker::{Track, TrackedBox, Tracker, TrackerConfig};

/// One MOTChallenge line, `frame,id,x,y,w,h,score,-1,-1,-1` (frames counted from 1, box in
/// pixels), as `facecam track` writes them.
pub fn mot_line(frame: u64, b: &TrackedBox) -> String {
    format!(
        "{frame},{},{:.2},{:.2},{:.2},{:.2},{:.4},-1,-1,-1",
        b.id, b.x, b.y, b.w, b.h, b.score
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mot_line_has_ten_fields_frame_id_box_score_and_three_minus_ones() {
        let b = TrackedBox {
            id: 7,
            x: 10.0,
            y: 20.5,
            w: 30.25,
            h: 31.0,
            score: 2.5,
        };
        let line = mot_line(12, &b);
        assert_eq!(line, "12,7,10.00,20.50,30.25,31.00,2.5000,-1,-1,-1");
        assert_eq!(line.split(',').count(), 10);
    }
}
