//! Multi-object tracking scores: CLEAR MOT (MOTA, id switches; Bernardin & Stiefelhagen 2008),
//! IDF1 (Ristani et al. 2016) and box jitter, from ground-truth and tracker boxes per frame.
//! A pair matches when its IoU is at least 0.5, as in MOTChallenge.

use std::collections::HashMap;

use crate::Detection;

/// A box with the id of its track (ground truth or hypothesis), in pixels.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct IdBox {
    pub id: u64,
    pub x: f32,
    pub y: f32,
    pub w: f32,
    pub h: f32,
}

impl IdBox {
    fn iou(&self, o: &IdBox) -> f32 {
        self.detection().iou(&o.detection())
    }

    fn detection(&self) -> Detection {
        Detection {
            x: self.x,
            y: self.y,
            w: self.w,
            h: self.h,
            score: 0.0,
        }
    }

    fn centre(&self) -> (f32, f32) {
        (self.x + self.w / 2.0, self.y + self.h / 2.0)
    }
}

impl From<&super::TrackedBox> for IdBox {
    fn from(b: &super::TrackedBox) -> Self {
        IdBox {
            id: b.id,
            x: b.x,
            y: b.y,
            w: b.w,
            h: b.h,
        }
    }
}

/// Least IoU for a ground-truth box and a tracker box to match.
pub const MATCH_IOU: f32 = 0.5;

/// The scores of one sequence.
#[derive(Clone, Debug, Default, PartialEq, serde::Serialize)]
pub struct MotScores {
    /// Ground-truth boxes over all frames.
    pub gt: usize,
    pub false_negatives: usize,
    pub false_positives: usize,
    pub id_switches: usize,
    /// 1 − (FN + FP + IDSW) / GT.
    pub mota: f32,
    /// 2·IDTP / (GT + tracker boxes), with ids matched once for the whole sequence.
    pub idf1: f32,
    /// RMS of (tracker centre step − ground-truth centre step) over matched pairs seen in
    /// two frames in a row, pixels.
    pub jitter_px: f32,
    /// Tracker ids shown in one frame only and matching no face there: the boxes that
    /// blink on for a frame (per minute: divide by the clip's minutes).
    pub single_frame_fp: usize,
}

/// Scores `hyp` against `gt`, both one list of boxes per frame (same frame count).
pub fn score(gt: &[Vec<IdBox>], hyp: &[Vec<IdBox>]) -> MotScores {
    let mut s = MotScores::default();
    let hyp_total: usize = hyp.iter().map(Vec::len).sum();
    // CLEAR MOT: keep last frame's pairs that still overlap, match the rest best-IoU first.
    let mut last_match: HashMap<u64, u64> = HashMap::new(); // gt id → hyp id
    let mut prev_pairs: HashMap<u64, (IdBox, IdBox)> = HashMap::new();
    let (mut jitter_sq, mut jitter_n) = (0.0f64, 0usize);
    // IDF1: frames in which each (gt id, hyp id) pair overlaps.
    let mut overlap: HashMap<(u64, u64), usize> = HashMap::new();
    // Per tracker id: frames shown, and whether it ever matched a face.
    let mut shown: HashMap<u64, (usize, bool)> = HashMap::new();
    for (g, h) in gt.iter().zip(hyp) {
        s.gt += g.len();
        for a in g {
            for b in h {
                if a.iou(b) >= MATCH_IOU {
                    *overlap.entry((a.id, b.id)).or_default() += 1;
                }
            }
        }
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        let (mut g_used, mut h_used) = (vec![false; g.len()], vec![false; h.len()]);
        for (i, a) in g.iter().enumerate() {
            if let Some(&hid) = last_match.get(&a.id)
                && let Some(j) = h.iter().position(|b| b.id == hid)
                && !h_used[j]
                && a.iou(&h[j]) >= MATCH_IOU
            {
                pairs.push((i, j));
                (g_used[i], h_used[j]) = (true, true);
            }
        }
        let mut candidates: Vec<(f32, usize, usize)> = g
            .iter()
            .enumerate()
            .flat_map(|(i, a)| h.iter().enumerate().map(move |(j, b)| (a.iou(b), i, j)))
            .filter(|(iou, i, j)| *iou >= MATCH_IOU && !g_used[*i] && !h_used[*j])
            .collect();
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0));
        for (_, i, j) in candidates {
            if !g_used[i] && !h_used[j] {
                pairs.push((i, j));
                (g_used[i], h_used[j]) = (true, true);
            }
        }
        let mut pairs_now = HashMap::new();
        for &(i, j) in &pairs {
            let (a, b) = (g[i], h[j]);
            if last_match.get(&a.id).is_some_and(|&prev| prev != b.id) {
                s.id_switches += 1;
            }
            last_match.insert(a.id, b.id);
            if let Some((pa, pb)) = prev_pairs.get(&a.id)
                && pb.id == b.id
            {
                let (ga, gb) = (pa.centre(), a.centre());
                let (ha, hb) = (pb.centre(), b.centre());
                let dx = (hb.0 - ha.0) - (gb.0 - ga.0);
                let dy = (hb.1 - ha.1) - (gb.1 - ga.1);
                jitter_sq += (dx * dx + dy * dy) as f64;
                jitter_n += 1;
            }
            pairs_now.insert(a.id, (a, b));
        }
        prev_pairs = pairs_now;
        for (j, b) in h.iter().enumerate() {
            let e = shown.entry(b.id).or_default();
            e.0 += 1;
            e.1 |= h_used[j];
        }
        s.false_negatives += g.len() - pairs.len();
        s.false_positives += h.len() - pairs.len();
    }
    s.single_frame_fp = shown
        .values()
        .filter(|(frames, matched)| *frames == 1 && !matched)
        .count();
    s.mota =
        1.0 - (s.false_negatives + s.false_positives + s.id_switches) as f32 / s.gt.max(1) as f32;
    s.idf1 = 2.0 * id_true_positives(&overlap) as f32 / (s.gt + hyp_total).max(1) as f32;
    s.jitter_px = (jitter_sq / jitter_n.max(1) as f64).sqrt() as f32;
    s
}

/// The most frames matched when each ground-truth id is paired with at most one tracker id
/// for the whole sequence (an assignment problem, solved exactly).
fn id_true_positives(overlap: &HashMap<(u64, u64), usize>) -> usize {
    let mut gt_ids: Vec<u64> = overlap.keys().map(|k| k.0).collect();
    let mut hyp_ids: Vec<u64> = overlap.keys().map(|k| k.1).collect();
    gt_ids.sort_unstable();
    gt_ids.dedup();
    hyp_ids.sort_unstable();
    hyp_ids.dedup();
    let n = gt_ids.len().max(hyp_ids.len());
    if n == 0 {
        return 0;
    }
    // Cost = −overlap on a square matrix (padding costs 0).
    let mut cost = vec![vec![0i64; n]; n];
    for (i, g) in gt_ids.iter().enumerate() {
        for (j, h) in hyp_ids.iter().enumerate() {
            cost[i][j] = -(overlap.get(&(*g, *h)).copied().unwrap_or(0) as i64);
        }
    }
    let assignment = hungarian(&cost);
    assignment
        .iter()
        .enumerate()
        .map(|(i, &j)| (-cost[i][j]) as usize)
        .sum()
}

/// Minimum-cost perfect assignment on a square matrix (the O(n³) Hungarian algorithm with
/// potentials); returns the column of each row.
fn hungarian(cost: &[Vec<i64>]) -> Vec<usize> {
    let n = cost.len();
    let inf = i64::MAX / 4;
    let (mut u, mut v) = (vec![0i64; n + 1], vec![0i64; n + 1]);
    let mut p = vec![0usize; n + 1]; // p[j]: row matched to column j (1-based; 0 = none)
    let mut way = vec![0usize; n + 1];
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![inf; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let (mut delta, mut j1) = (inf, 0);
            for j in 1..=n {
                if !used[j] {
                    let cur = cost[i0 - 1][j - 1] - u[i0] - v[j];
                    if cur < minv[j] {
                        minv[j] = cur;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut row_to_col = vec![0; n];
    for j in 1..=n {
        if p[j] > 0 {
            row_to_col[p[j] - 1] = j - 1;
        }
    }
    row_to_col
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(id: u64, x: f32) -> IdBox {
        IdBox {
            id,
            x,
            y: 0.0,
            w: 40.0,
            h: 40.0,
        }
    }

    #[test]
    fn a_perfect_tracker_scores_one_and_errors_are_counted() {
        let gt: Vec<Vec<IdBox>> = (0..10).map(|t| vec![b(1, t as f32), b(2, 200.0)]).collect();
        let perfect: Vec<Vec<IdBox>> = gt
            .iter()
            .map(|f| {
                f.iter()
                    .map(|x| IdBox {
                        id: x.id + 10,
                        ..*x
                    })
                    .collect()
            })
            .collect();
        let s = score(&gt, &perfect);
        assert_eq!((s.mota, s.idf1, s.id_switches), (1.0, 1.0, 0));
        assert!(s.jitter_px < 1e-4);

        // Face 1's track changes id half-way; a false box in frame 3; face 2 missed in frame 7.
        let mut flawed = perfect.clone();
        for f in &mut flawed[5..] {
            f[0].id = 99;
        }
        flawed[3].push(b(50, 400.0));
        flawed[7].remove(1);
        let s = score(&gt, &flawed);
        assert_eq!(
            (s.id_switches, s.false_positives, s.false_negatives),
            (1, 1, 1)
        );
        assert!((s.mota - (1.0 - 3.0 / 20.0)).abs() < 1e-6);
        // The false box was shown for one frame: it blinked.
        assert_eq!(s.single_frame_fp, 1);
        assert_eq!(score(&gt, &perfect).single_frame_fp, 0);
        // IDF1: face 1 keeps 5 of 10 frames under one id, face 2 has 9: 2·14 / (20 + 20).
        assert!((s.idf1 - 28.0 / 40.0).abs() < 1e-6, "{}", s.idf1);
    }

    #[test]
    fn jitter_is_the_tracker_s_extra_motion() {
        let gt: Vec<Vec<IdBox>> = (0..20).map(|t| vec![b(1, 2.0 * t as f32)]).collect();
        let shaky: Vec<Vec<IdBox>> = (0..20)
            .map(|t| vec![b(5, 2.0 * t as f32 + if t % 2 == 0 { 1.0 } else { -1.0 })])
            .collect();
        // Every step is off by ±2 px.
        assert!((score(&gt, &shaky).jitter_px - 2.0).abs() < 1e-4);
    }

    #[test]
    fn the_hungarian_algorithm_finds_the_best_assignment() {
        let cost = vec![vec![4, 1, 3], vec![2, 0, 5], vec![3, 2, 2]];
        let a = hungarian(&cost);
        let total: i64 = a.iter().enumerate().map(|(i, &j)| cost[i][j]).sum();
        assert_eq!(total, 5); // 1 + 2 + 2
    }
}
