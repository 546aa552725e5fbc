//! Scoring detections against ground truth with exactly the centre rule of
//! `shared/tools/faceeval.py` (a test runs both on the same files and compares).
//!
//! A detection D matches a face G when D's centre lies inside G (borders inclusive) and
//! `sqrt(area D / area G)` is in [0.7, 2.5]. Detections are taken in descending score over the
//! whole set (ties: file order); each face is matched once, by the still-unmatched face of its
//! image with the highest IoU; everything else is a false positive. Detections whose centre
//! falls in an ignore box are removed first.

use std::collections::{BTreeMap, BTreeSet};

use crate::boxes::{BoxF, BoxMap, ScoredBox};

/// The false-positive counts the detection rate is reported at (Viola-Jones / Rowley tables).
pub const FP_POINTS: [usize; 6] = [0, 10, 31, 50, 95, 167];
const SCALE_LO: f64 = 0.7;
const SCALE_HI: f64 = 2.5;

/// The figures `facecam eval` prints.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct EvalReport {
    pub images: usize,
    pub gt_faces: usize,
    pub detections: usize,
    pub dets_outside_set: usize,
    pub dets_in_ignore: usize,
    pub tp: usize,
    pub fp: usize,
    pub max_dr: f64,
    /// (K, best detection rate with at most K false positives), for K in [`FP_POINTS`].
    pub dr_at_fp: Vec<(usize, f64)>,
    pub ap: f64,
}

impl EvalReport {
    /// Detection rate at `k` false positives, if `k` is one of [`FP_POINTS`].
    pub fn dr_at(&self, k: usize) -> Option<f64> {
        self.dr_at_fp.iter().find(|(p, _)| *p == k).map(|(_, v)| *v)
    }

    /// `key: value` lines in faceeval.py's format, keys prefixed with `label.center.`.
    pub fn lines(&self, label: &str) -> Vec<String> {
        let f = |v: f64| {
            if v.is_nan() {
                "nan".to_string()
            } else {
                format!("{v:.4}")
            }
        };
        let p = format!("{label}.center");
        let mut out = vec![
            format!("set.images: {}", self.images),
            format!("set.gt_faces: {}", self.gt_faces),
            format!("{label}.dets_outside_set: {}", self.dets_outside_set),
            format!("{label}.dets_in_ignore: {}", self.dets_in_ignore),
            format!("{p}.detections: {}", self.detections),
            format!("{p}.tp: {}", self.tp),
            format!("{p}.fp: {}", self.fp),
            format!("{p}.max_dr: {}", f(self.max_dr)),
        ];
        for (k, v) in &self.dr_at_fp {
            out.push(format!("{p}.dr_at_{k}fp: {}", f(*v)));
        }
        out.push(format!("{p}.ap: {}", f(self.ap)));
        out
    }
}

fn iou(a: &BoxF, b: &BoxF) -> f64 {
    let iw = (a.x + a.w).min(b.x + b.w) - a.x.max(b.x);
    let ih = (a.y + a.h).min(b.y + b.h) - a.y.max(b.y);
    if iw <= 0.0 || ih <= 0.0 {
        return 0.0;
    }
    let inter = iw * ih;
    inter / (a.w * a.h + b.w * b.h - inter)
}

fn centre_inside(d: &BoxF, g: &BoxF) -> bool {
    let (cx, cy) = (d.x + d.w / 2.0, d.y + d.h / 2.0);
    g.x <= cx && cx <= g.x + g.w && g.y <= cy && cy <= g.y + g.h
}

/// The centre rule.
pub fn matches(d: &BoxF, g: &BoxF) -> bool {
    if !centre_inside(d, g) {
        return false;
    }
    let r = ((d.w * d.h) / (g.w * g.h)).sqrt();
    (SCALE_LO..=SCALE_HI).contains(&r)
}

/// Scores `dets` on the image set `images` ∪ images of `gt`.
pub fn evaluate(
    dets: &[ScoredBox],
    gt: &BoxMap,
    ignore: &BoxMap,
    images: &BTreeSet<String>,
) -> EvalReport {
    let set: BTreeSet<&str> = images
        .iter()
        .map(String::as_str)
        .chain(gt.keys().map(String::as_str))
        .collect();
    let (mut outside, mut ignored) = (0, 0);
    let mut kept: Vec<&ScoredBox> = Vec::with_capacity(dets.len());
    for d in dets {
        if !set.contains(d.image.as_str()) {
            outside += 1;
        } else if ignore
            .get(&d.image)
            .is_some_and(|ign| ign.iter().any(|g| centre_inside(&d.rect, g)))
        {
            ignored += 1;
        } else {
            kept.push(d);
        }
    }
    // Stable: equal scores keep file order.
    kept.sort_by(|a, b| b.score.total_cmp(&a.score));

    let mut used: BTreeMap<&str, Vec<bool>> = gt
        .iter()
        .map(|(k, v)| (k.as_str(), vec![false; v.len()]))
        .collect();
    let mut is_tp = Vec::with_capacity(kept.len());
    for d in &kept {
        let mut hit = false;
        if let (Some(boxes), Some(used)) = (gt.get(&d.image), used.get_mut(d.image.as_str())) {
            let mut best: Option<(usize, f64)> = None;
            for (j, g) in boxes.iter().enumerate() {
                if used[j] || !matches(&d.rect, g) {
                    continue;
                }
                let v = iou(&d.rect, g);
                if best.is_none_or(|(_, b)| v > b) {
                    best = Some((j, v));
                }
            }
            if let Some((j, _)) = best {
                used[j] = true;
                hit = true;
            }
        }
        is_tp.push(hit);
    }

    let n_gt: usize = gt.values().map(Vec::len).sum();
    let scores: Vec<f64> = kept.iter().map(|d| d.score).collect();
    let (fp_cut, tp_cut) = cut_points(&scores, &is_tp);
    let rate = |tp: usize| {
        if n_gt == 0 {
            f64::NAN
        } else {
            tp as f64 / n_gt as f64
        }
    };
    let tp = is_tp.iter().filter(|&&t| t).count();
    EvalReport {
        images: set.len(),
        gt_faces: n_gt,
        detections: kept.len(),
        dets_outside_set: outside,
        dets_in_ignore: ignored,
        tp,
        fp: kept.len() - tp,
        max_dr: rate(tp),
        dr_at_fp: FP_POINTS
            .iter()
            .map(|&k| {
                let best = fp_cut
                    .iter()
                    .zip(&tp_cut)
                    .filter(|(fp, _)| **fp <= k)
                    .map(|(_, tp)| *tp)
                    .max()
                    .unwrap_or(0);
                (k, rate(best))
            })
            .collect(),
        ap: average_precision(&is_tp, n_gt),
    }
}

/// (false positives, true positives) at every reachable threshold: none kept, then the end of
/// each group of tied scores (a threshold cannot split a tie).
fn cut_points(scores: &[f64], is_tp: &[bool]) -> (Vec<usize>, Vec<usize>) {
    let (mut fps, mut tps) = (vec![0], vec![0]);
    let (mut fp, mut tp) = (0, 0);
    for i in 0..scores.len() {
        if is_tp[i] {
            tp += 1;
        } else {
            fp += 1;
        }
        if i + 1 == scores.len() || scores[i + 1] != scores[i] {
            fps.push(fp);
            tps.push(tp);
        }
    }
    (fps, tps)
}

/// VOC 2010+ all-point interpolated average precision.
fn average_precision(is_tp: &[bool], n_gt: usize) -> f64 {
    if n_gt == 0 {
        return f64::NAN;
    }
    if is_tp.is_empty() {
        return 0.0;
    }
    let (mut rec, mut prec) = (vec![0.0], vec![0.0]);
    let (mut tp, mut fp) = (0.0, 0.0);
    for &t in is_tp {
        if t {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        rec.push(tp / n_gt as f64);
        prec.push(tp / (tp + fp));
    }
    rec.push(1.0);
    prec.push(0.0);
    for i in (0..prec.len() - 1).rev() {
        prec[i] = prec[i].max(prec[i + 1]);
    }
    (0..rec.len() - 1)
        .filter(|&i| rec[i + 1] != rec[i])
        .map(|i| (rec[i + 1] - rec[i]) * prec[i + 1])
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(x: f64, y: f64, w: f64, h: f64) -> BoxF {
        BoxF { x, y, w, h }
    }

    fn det(img: &str, r: BoxF, score: f64) -> ScoredBox {
        ScoredBox {
            image: img.into(),
            rect: r,
            score,
        }
    }

    #[test]
    fn centre_rule_borders_and_scale_window() {
        let g = b(0.0, 0.0, 10.0, 10.0);
        assert!(matches(&b(5.0, 5.0, 10.0, 10.0), &g)); // centre (10, 10) on the border
        assert!(!matches(&b(5.1, 5.0, 10.0, 10.0), &g));
        assert!(matches(&b(0.0, 0.0, 7.0, 7.0), &g)); // ratio 0.7 exactly
        assert!(!matches(&b(0.0, 0.0, 6.9, 6.9), &g));
        assert!(matches(&b(-7.5, -7.5, 25.0, 25.0), &g)); // ratio 2.5
    }

    #[test]
    fn hand_worked_example() {
        // Two faces on a.jpg; detections: a hit (0.9), a duplicate (0.8, FP), a miss on b.jpg
        // (0.7, FP), the second face (0.6).
        let mut gt = BoxMap::new();
        gt.insert(
            "a.jpg".into(),
            vec![b(0.0, 0.0, 10.0, 10.0), b(50.0, 0.0, 10.0, 10.0)],
        );
        let dets = vec![
            det("a.jpg", b(0.0, 0.0, 10.0, 10.0), 0.9),
            det("a.jpg", b(1.0, 1.0, 10.0, 10.0), 0.8),
            det("b.jpg", b(0.0, 0.0, 10.0, 10.0), 0.7),
            det("a.jpg", b(50.0, 0.0, 10.0, 10.0), 0.6),
            det("c.jpg", b(0.0, 0.0, 10.0, 10.0), 0.99), // outside the set
        ];
        let images: BTreeSet<String> = ["b.jpg".to_string()].into();
        let r = evaluate(&dets, &gt, &BoxMap::new(), &images);
        assert_eq!((r.tp, r.fp, r.dets_outside_set), (2, 2, 1));
        assert_eq!(r.dr_at(0), Some(0.5));
        assert_eq!(r.dr_at(10), Some(1.0));
        // Precision envelope: 1 up to recall .5, then 2/4 at recall 1 → AP = .5 + .5·.5.
        assert!((r.ap - 0.75).abs() < 1e-12);
    }

    #[test]
    fn tied_scores_are_all_or_nothing() {
        let mut gt = BoxMap::new();
        gt.insert("a.jpg".into(), vec![b(0.0, 0.0, 10.0, 10.0)]);
        let dets = vec![
            det("a.jpg", b(100.0, 0.0, 10.0, 10.0), 1.0),
            det("a.jpg", b(0.0, 0.0, 10.0, 10.0), 1.0),
        ];
        let r = evaluate(&dets, &gt, &BoxMap::new(), &BTreeSet::new());
        assert_eq!(r.dr_at(0), Some(0.0));
        assert_eq!(r.dr_at(10), Some(1.0));
    }
}
