//! Non-maximum suppression: one box per face out of the many windows and scales that fire.

use serde::{Deserialize, Serialize};

/// A face found in an image: a box in image pixels and the network's logit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Detection {
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
    /// The network's logit: `sigmoid(score)` is the estimated face probability, 0 ↔ 50 %.
    /// Logits, not probabilities, are reported so confident detections do not tie at 1.0.
    pub score: f32,
}

impl Detection {
    /// Estimated probability that the box holds a face.
    pub fn probability(&self) -> f32 {
        1.0 / (1.0 + (-self.score).exp())
    }

    fn area(&self) -> f32 {
        self.w * self.h
    }

    fn intersection(&self, o: &Detection) -> f32 {
        let iw = (self.x + self.w).min(o.x + o.w) - self.x.max(o.x);
        let ih = (self.y + self.h).min(o.y + o.h) - self.y.max(o.y);
        if iw <= 0.0 || ih <= 0.0 { 0.0 } else { iw * ih }
    }

    /// Intersection over union; 0 for disjoint boxes.
    pub fn iou(&self, o: &Detection) -> f32 {
        let inter = self.intersection(o);
        if inter == 0.0 {
            return 0.0;
        }
        inter / (self.area() + o.area() - inter)
    }

    /// Share of the smaller box covered by the other: 1 when one box sits inside the other.
    pub fn containment(&self, o: &Detection) -> f32 {
        let inter = self.intersection(o);
        if inter == 0.0 {
            return 0.0;
        }
        inter / self.area().min(o.area())
    }
}

/// How boxes are merged.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NmsConfig {
    /// A box is suppressed by a better one when their IoU exceeds this.
    pub iou: f32,
    /// …or when this share of the smaller box lies inside the better one (a window on part of
    /// a face at a smaller scale). Set to 1.0 or more to disable.
    pub containment: f32,
    /// Replace each kept box by the score-weighted mean of itself and the boxes it suppressed
    /// with IoU above `iou` (the merging of neighbouring positions and scales).
    pub average: bool,
    /// Let neighbours vote: a face fires at several neighbouring positions and scales, a
    /// texture that happens to look like one mostly at one. With a floor, the kept box scores
    /// `best + ln(1 + Σ σ(s_j) / σ(best))` over the boxes it merges (IoU above `iou`) whose
    /// logit `s_j` reaches the floor, so a lone window keeps its logit and a cluster of n
    /// equal ones gains ln n. `None`: the best logit alone (older sidecars).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_floor: Option<f32>,
}

impl Default for NmsConfig {
    fn default() -> Self {
        Self {
            iou: 0.3,
            containment: 0.75,
            average: true,
            support_floor: None,
        }
    }
}

/// Most candidates NMS looks at: the best ones by score. Greedy NMS is quadratic, and a very
/// low threshold (`--threshold -10`) makes every window of every level a candidate.
pub const MAX_CANDIDATES: usize = 4096;

/// Greedy NMS: take the best remaining box, suppress what overlaps it, repeat.
///
/// Boxes with a NaN score are dropped, and only the best `MAX_CANDIDATES` are considered;
/// equal scores keep their input order. The kept box keeps its own score (the best of its
/// cluster) plus, with `support_floor`, its neighbours' support, so the best box always
/// survives.
pub fn nms(mut boxes: Vec<Detection>, cfg: &NmsConfig) -> Vec<Detection> {
    boxes.retain(|b| !b.score.is_nan() && b.w > 0.0 && b.h > 0.0);
    keep_best(&mut boxes, MAX_CANDIDATES);
    // Stable sort: ties keep input order.
    boxes.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut suppressed = vec![false; boxes.len()];
    let mut kept = Vec::new();
    for i in 0..boxes.len() {
        if suppressed[i] {
            continue;
        }
        let best = boxes[i];
        let (mut sx, mut sy, mut sw, mut sh, mut sum) = (0.0f32, 0.0, 0.0, 0.0, 0.0);
        let mut add = |b: &Detection| {
            let weight = b.probability().max(1e-6);
            sx += weight * b.x;
            sy += weight * b.y;
            sw += weight * b.w;
            sh += weight * b.h;
            sum += weight;
        };
        add(&best);
        // Σ σ(s_j) over the merged neighbours at or above the support floor.
        let mut support = 0.0f32;
        for j in i + 1..boxes.len() {
            if suppressed[j] {
                continue;
            }
            let iou = best.iou(&boxes[j]);
            if iou > cfg.iou || best.containment(&boxes[j]) > cfg.containment {
                suppressed[j] = true;
                if iou > cfg.iou {
                    if cfg.average {
                        add(&boxes[j]);
                    }
                    if cfg.support_floor.is_some_and(|f| boxes[j].score >= f) {
                        support += boxes[j].probability();
                    }
                }
            }
        }
        let score = best.score + (support / best.probability().max(1e-6)).ln_1p();
        kept.push(if cfg.average {
            Detection {
                x: sx / sum,
                y: sy / sum,
                w: sw / sum,
                h: sh / sum,
                score,
            }
        } else {
            Detection { score, ..best }
        });
    }
    // Support can lift a box above one kept before it: best first again (stable, so without
    // support, where the order already holds, nothing moves).
    kept.sort_by(|a, b| b.score.total_cmp(&a.score));
    kept
}

/// Keeps the `limit` best-scoring boxes, in their input order (ties at the cut: the first).
fn keep_best(boxes: &mut Vec<Detection>, limit: usize) {
    if boxes.len() <= limit || limit == 0 {
        return;
    }
    let mut scores: Vec<f32> = boxes.iter().map(|b| b.score).collect();
    let (_, &mut cut, _) = scores.select_nth_unstable_by(limit - 1, |a, b| b.total_cmp(a));
    let mut ties_left = limit - boxes.iter().filter(|b| b.score > cut).count();
    boxes.retain(|b| {
        if b.score > cut {
            true
        } else if b.score == cut && ties_left > 0 {
            ties_left -= 1;
            true
        } else {
            false
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(x: f32, y: f32, s: f32, score: f32) -> Detection {
        Detection {
            x,
            y,
            w: s,
            h: s,
            score,
        }
    }

    fn plain(iou: f32) -> NmsConfig {
        NmsConfig {
            iou,
            containment: 2.0,
            average: false,
            support_floor: None,
        }
    }

    #[test]
    fn the_best_box_survives_whatever_the_input_order() {
        let boxes = vec![
            d(0.0, 0.0, 10.0, 0.5),
            d(1.0, 1.0, 10.0, 3.0),
            d(2.0, 0.0, 10.0, 1.0),
        ];
        for rot in 0..3 {
            let mut b = boxes.clone();
            b.rotate_left(rot);
            let out = nms(b, &plain(0.3));
            assert_eq!(out, vec![d(1.0, 1.0, 10.0, 3.0)]);
        }
    }

    #[test]
    fn kept_boxes_never_overlap_beyond_the_threshold() {
        // A deterministic cloud of boxes; every pair of survivors must respect the IoU bound.
        let mut boxes = Vec::new();
        for i in 0..200u32 {
            let h = i.wrapping_mul(2_654_435_761);
            let x = (h % 97) as f32;
            let y = ((h >> 8) % 89) as f32;
            let s = 10.0 + ((h >> 16) % 30) as f32;
            boxes.push(d(x, y, s, ((h >> 4) % 1000) as f32 / 100.0));
        }
        for thr in [0.1, 0.3, 0.5, 0.7] {
            let out = nms(boxes.clone(), &plain(thr));
            for (i, a) in out.iter().enumerate() {
                for b in &out[i + 1..] {
                    assert!(a.iou(b) <= thr, "iou {} > {thr}", a.iou(b));
                }
            }
            // The global best is always kept.
            let best = boxes.iter().map(|b| b.score).fold(f32::MIN, f32::max);
            assert_eq!(out[0].score, best);
        }
    }

    #[test]
    fn disjoint_boxes_all_survive_and_come_out_sorted() {
        let out = nms(
            vec![d(0.0, 0.0, 5.0, 1.0), d(50.0, 0.0, 5.0, 2.0)],
            &plain(0.3),
        );
        assert_eq!(out.len(), 2);
        assert!(out[0].score > out[1].score);
    }

    #[test]
    fn nan_scores_are_dropped_and_ties_keep_input_order() {
        let out = nms(
            vec![
                d(0.0, 0.0, 10.0, f32::NAN),
                d(1.0, 0.0, 10.0, 1.0),
                d(0.0, 1.0, 10.0, 1.0),
            ],
            &plain(0.3),
        );
        assert_eq!(out, vec![d(1.0, 0.0, 10.0, 1.0)]);
    }

    #[test]
    fn a_small_box_inside_a_better_big_one_is_suppressed_by_containment() {
        let cfg = NmsConfig {
            average: false,
            ..NmsConfig::default()
        };
        let out = nms(vec![d(0.0, 0.0, 60.0, 5.0), d(10.0, 10.0, 30.0, 1.0)], &cfg);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].w, 60.0);
    }

    #[test]
    fn averaging_merges_neighbours_weighted_by_probability() {
        let cfg = NmsConfig {
            iou: 0.3,
            containment: 2.0,
            average: true,
            support_floor: None,
        };
        // Equal scores: the merged box is the plain mean.
        let out = nms(vec![d(0.0, 0.0, 10.0, 2.0), d(2.0, 0.0, 10.0, 2.0)], &cfg);
        assert_eq!(out.len(), 1);
        assert!((out[0].x - 1.0).abs() < 1e-5);
        assert_eq!(out[0].score, 2.0);
    }

    #[test]
    fn neighbours_at_or_above_the_floor_add_their_support() {
        let cfg = NmsConfig {
            support_floor: Some(-1.0),
            ..plain(0.3)
        };
        // A lone window keeps its logit.
        assert_eq!(nms(vec![d(0.0, 0.0, 10.0, 1.5)], &cfg)[0].score, 1.5);
        // Two equal neighbours (IoU 0.67) back the best one: + ln 3. One below the floor and
        // one far away do not; a box only contained in the best (IoU 0.25) does not either.
        let boxes = vec![
            d(0.0, 0.0, 10.0, 2.0),
            d(1.0, 0.0, 10.0, 2.0),
            d(0.0, 1.0, 10.0, 2.0),
            d(1.0, 1.0, 10.0, -1.5),
            d(40.0, 0.0, 10.0, 2.0),
            d(2.0, 2.0, 5.0, 2.0),
        ];
        let contained = NmsConfig {
            containment: 0.75,
            ..cfg.clone()
        };
        let out = nms(boxes, &contained);
        assert_eq!(out.len(), 2);
        assert!(
            (out[0].score - (2.0 + 3f32.ln())).abs() < 1e-5,
            "{}",
            out[0].score
        );
        assert_eq!(out[1].score, 2.0);
        // A box backed by a neighbour comes out ahead of a lone, slightly better one.
        let out = nms(
            vec![
                d(40.0, 0.0, 10.0, 2.1),
                d(0.0, 0.0, 10.0, 2.0),
                d(1.0, 0.0, 10.0, 2.0),
            ],
            &cfg,
        );
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].x, 0.0);
        assert!(out[0].score > out[1].score && out[1].score == 2.1);
        // A weaker neighbour counts by its probability relative to the best's.
        let (best, weak) = (d(0.0, 0.0, 10.0, 0.0), d(1.0, 0.0, 10.0, -1.0));
        let out = nms(vec![best, weak], &cfg);
        let ratio = weak.probability() / best.probability();
        assert!((out[0].score - ratio.ln_1p()).abs() < 1e-6);
    }

    #[test]
    fn only_the_best_candidates_reach_nms() {
        // A dense field of weak windows (every cell of a low-threshold scan) plus three faces.
        let mut boxes: Vec<Detection> = (0..20_000)
            .map(|i| d((i % 200) as f32 * 4.0, (i / 200) as f32 * 4.0, 30.0, -5.0))
            .collect();
        for (k, x) in [100.0, 400.0, 700.0].into_iter().enumerate() {
            boxes.insert(k * 5000, d(x, 50.0, 30.0, 3.0 + k as f32));
        }
        let mut capped = boxes.clone();
        keep_best(&mut capped, 10);
        assert_eq!(capped.len(), 10);
        // The three faces survive, in input order, and ties fill the rest in input order.
        assert_eq!(capped.iter().filter(|b| b.score > 0.0).count(), 3);
        assert_eq!(capped[0], boxes[0]);
        let kept = nms(boxes, &NmsConfig::default());
        assert_eq!(kept[0].score, 5.0);
        assert!(kept.len() <= MAX_CANDIDATES);
    }
}
