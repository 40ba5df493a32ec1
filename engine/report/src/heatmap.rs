//! The page's mastery heatmap: learners × skills, drawn from the sparse evidence.
//!
//! **Cells.** A (learner, skill) cell with evidence is coloured by its mastery estimate (P(known)
//! as a share of the skill's attainable ceiling, what the threshold applies to) on the viridis
//! scale of [`colors`]; a mastered cell (status `mastered` under the library's
//! [`MasteryRule`](pathwise::bkt::mastery::MasteryRule)) carries a white dot. A
//! cell without evidence (never attempted) is **not assessed**: grey and hatched, with no
//! number, never a colour of the scale, whatever the model's prior.
//!
//! **Bounds.** Up to [`LEARNER_ROWS`] learners the heatmap has one row per learner, sorted by
//! progress; above that, learners sorted by progress are cut into [`LEARNER_BANDS`] consecutive
//! bands of (nearly) equal size. Up to [`SKILL_COLUMNS`] skills it has one column per skill;
//! above that, skills in curriculum order are cut into [`SKILL_BANDS`] consecutive bands. A band
//! cell is the mean estimate of the cells with evidence it covers, hatched when none has any; its
//! tooltip says how many cells were assessed and mastered. So the drawing has at most
//! 150 × 150 cells whatever the cohort, and the page says what it summarised.

use std::fmt::Write as _;

use pathwise::bkt::mastery::Status;
use pathwise::report::{CohortInput, CohortReport, ReportSettings};

use super::colors;
use super::html::escape;
use super::sheets::p3;

/// Cohorts up to this size get one heatmap row per learner.
pub const LEARNER_ROWS: usize = 150;
/// Bigger cohorts are shown as this many progress bands.
pub const LEARNER_BANDS: usize = 100;
/// Up to this many skills the heatmap has one column per skill.
pub const SKILL_COLUMNS: usize = 150;
/// More skills are shown as this many curriculum bands.
pub const SKILL_BANDS: usize = 100;

/// The hatching of a not-assessed cell: light grey with darker diagonal lines.
fn hatch(id: &str) -> String {
    format!(
        "<defs><pattern id=\"{id}\" width=\"4\" height=\"4\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"4\" height=\"4\" fill=\"#e6e6e6\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"4\" stroke=\"#9a9a9a\" stroke-width=\"1.2\"/>\
         </pattern></defs>"
    )
}

/// One row (a learner or a band of learners) or column (a skill or a band of skills).
struct Axis {
    /// Consecutive ranges of the ordered items, one per row/column.
    ranges: Vec<(usize, usize)>,
    banded: bool,
}

impl Axis {
    fn new(n: usize, single_up_to: usize, bands: usize) -> Self {
        if n <= single_up_to {
            return Self {
                ranges: (0..n).map(|i| (i, i + 1)).collect(),
                banded: false,
            };
        }
        let ranges = (0..bands)
            .map(|b| (b * n / bands, (b + 1) * n / bands))
            .filter(|(lo, hi)| lo < hi)
            .collect();
        Self {
            ranges,
            banded: true,
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Cell {
    assessed: u32,
    mastered: u32,
    sum: f64,
}

/// Writes the heatmap section.
pub fn section(
    h: &mut String,
    input: &CohortInput,
    report: &CohortReport,
    settings: &ReportSettings,
) {
    h.push_str("<section id=\"heatmap\"><h2>Mastery by learner and skill</h2>\n");
    let order = &report.progress_order;
    let (n, d) = (order.len(), input.skills.len());
    let rows = Axis::new(n, LEARNER_ROWS, LEARNER_BANDS);
    let cols = Axis::new(d, SKILL_COLUMNS, SKILL_BANDS);
    let mut note = String::from(
        "Each cell is the learner's mastery estimate on the skill (P(known) as a share of what the \
         skill's forgetting allows); a white dot marks a mastered skill (the estimate at the \
         threshold and a run of correct answers, the rule <code>recommend</code> uses). <b>Grey hatched cells are not \
         assessed</b>: the learner never attempted the skill, so there is no evidence either way \
         and no number.",
    );
    if rows.banded {
        let _ = write!(
            note,
            " {n} learners, sorted by progress (most skills mastered first), are shown as {} bands \
             of about {} learners.",
            rows.ranges.len(),
            n.div_ceil(rows.ranges.len().max(1))
        );
    } else {
        note.push_str(" One row per learner, sorted by progress (most skills mastered first).");
    }
    if cols.banded {
        let _ = write!(
            note,
            " {d} skills, in curriculum order, are shown as {} bands of about {} skills.",
            cols.ranges.len(),
            d.div_ceil(cols.ranges.len().max(1))
        );
    } else {
        note.push_str(
            " Columns are the skills in curriculum order, numbered as in the Skills table.",
        );
    }
    if rows.banded || cols.banded {
        note.push_str(
            " A band's cell is the mean estimate of the cells with evidence it covers (hatched \
             when none has any); per-learner values are in <code>evidence.csv</code>.",
        );
    }
    if !super::sheets::wide_mastery_fits(input) {
        let _ = write!(
            note,
            " This cohort has {} learner–skill cells, more than {}: the wide \
             <code>mastery.csv</code> is not written; <code>evidence.csv</code> has every assessed \
             cell.",
            (n as u64).saturating_mul(d as u64),
            super::sheets::WIDE_MASTERY_CELLS
        );
    }
    let _ = writeln!(h, "<p class=\"note\">{note}</p>");
    legend(h, settings.rule.threshold);
    if rows.ranges.is_empty() || cols.ranges.is_empty() {
        h.push_str("<p>No learners or no skills.</p></section>\n");
        return;
    }
    let mut col_of = vec![0usize; d];
    for (c, &(lo, hi)) in cols.ranges.iter().enumerate() {
        col_of[lo..hi].iter_mut().for_each(|x| *x = c);
    }
    let nc = cols.ranges.len();
    let cw = (900 / nc).clamp(4, 24);
    let ch = if rows.banded { 8 } else { 12 };
    let label_w = 150;
    let top = 28;
    let width = label_w + cw * nc + 4;
    let height = top + ch * rows.ranges.len() + 4;
    let _ = writeln!(
        h,
        "<svg class=\"hm\" role=\"img\" aria-label=\"Mastery heatmap: {} rows by {nc} columns; \
         hatched cells are not assessed\" viewBox=\"0 0 {width} {height}\" width=\"{width}\" \
         height=\"{height}\">{}",
        rows.ranges.len(),
        hatch("hm-na")
    );
    let step = if cw >= 14 {
        1
    } else if cw >= 7 {
        5
    } else {
        10
    };
    for (c, &(lo, hi)) in cols.ranges.iter().enumerate() {
        if (c + 1) % step == 0 || c == 0 {
            let x = label_w + c * cw + cw / 2;
            let (label, tip) = if cols.banded {
                (format!("{}", lo + 1), format!("skills {}–{}", lo + 1, hi))
            } else {
                ((lo + 1).to_string(), input.skills[lo].name.clone())
            };
            let _ = write!(
                h,
                "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{label}<title>{}</title></text>",
                top - 6,
                escape(&tip)
            );
        }
    }
    h.push('\n');
    let mut cells = vec![Cell::default(); nc];
    for (r, &(lo, hi)) in rows.ranges.iter().enumerate() {
        cells.iter_mut().for_each(|c| *c = Cell::default());
        for &li in &order[lo..hi] {
            for e in &input.learners[li].evidence {
                let c = &mut cells[col_of[e.skill]];
                c.assessed += 1;
                c.sum += e.estimate;
                c.mastered += u32::from(e.status == Status::Mastered);
            }
        }
        let y = top + r * ch;
        let (label, tip) = if rows.banded {
            let label = if r % 5 == 0 {
                format!("#{}–{}", lo + 1, hi)
            } else {
                String::new()
            };
            (label, format!("learners ranked {}–{}", lo + 1, hi))
        } else {
            let id = &input.learners[order[lo]].id;
            (id.chars().take(22).collect(), id.clone())
        };
        let _ = write!(
            h,
            "<g transform=\"translate(0,{y})\"><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 4,
            ch - 2,
            escape(&label)
        );
        let tip = escape(&tip);
        for (c, cell) in cells.iter().enumerate() {
            let (clo, chi) = cols.ranges[c];
            let x = label_w + c * cw;
            let what = if cols.banded {
                format!("skills {}–{}", clo + 1, chi)
            } else {
                input.skills[clo].name.clone()
            };
            let covered = (hi - lo) * (chi - clo);
            if cell.assessed == 0 {
                let _ = write!(
                    h,
                    "<rect x=\"{x}\" width=\"{cw}\" height=\"{ch}\" class=\"na\"><title>{tip} · {}: \
                     not assessed (no attempts)</title></rect>",
                    escape(&what)
                );
                continue;
            }
            let mean = cell.sum / f64::from(cell.assessed);
            let detail = if covered == 1 {
                let status = if cell.mastered > 0 {
                    "mastered"
                } else {
                    "not mastered"
                };
                format!("estimate {}, {status}", p3(mean))
            } else {
                format!(
                    "mean estimate {} over {} of {covered} cells assessed, {} mastered",
                    p3(mean),
                    cell.assessed,
                    cell.mastered
                )
            };
            let _ = write!(
                h,
                "<rect x=\"{x}\" width=\"{cw}\" height=\"{ch}\" class=\"v{}\"><title>{tip} · {}: \
                 {detail}</title></rect>",
                colors::bin(mean),
                escape(&what)
            );
            if covered == 1 && cell.mastered > 0 {
                let _ = write!(
                    h,
                    "<circle class=\"mk\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"{:.1}\"/>",
                    x as f64 + cw as f64 / 2.0,
                    ch as f64 / 2.0,
                    (cw.min(ch) as f64 / 4.0).max(1.0)
                );
            }
        }
        h.push_str("</g>\n");
    }
    h.push_str("</svg></section>\n");
}

fn legend(h: &mut String, mastery: f64) {
    let bw = 16;
    let x0 = 10;
    let scale = bw * colors::BINS;
    let width = x0 * 2 + scale + 210;
    let _ = write!(
        h,
        "<div class=\"legend-row\"><svg class=\"legend\" role=\"img\" aria-label=\"Colour scale: \
         mastery estimate from 0 (dark purple) to 1 (yellow), the mastery threshold at {mastery}; white dot: \
         mastered; grey hatched: not assessed\" viewBox=\"0 0 {width} 34\" width=\"{width}\" \
         height=\"34\">{}",
        hatch("lg-na")
    );
    for b in 0..colors::BINS {
        let _ = write!(
            h,
            "<rect x=\"{}\" y=\"2\" width=\"{bw}\" height=\"14\" class=\"v{b}\"/>",
            x0 + b * bw
        );
    }
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let x = x0 as f64 + t * scale as f64;
        let _ = write!(
            h,
            "<text x=\"{x}\" y=\"28\" text-anchor=\"middle\">{t}</text>"
        );
    }
    let mx = x0 as f64 + mastery * scale as f64;
    let sx = x0 + scale + 20;
    let _ = writeln!(
        h,
        "<line x1=\"{mx}\" x2=\"{mx}\" y1=\"0\" y2=\"18\" stroke=\"#000\" stroke-width=\"2\"/>\
         <rect x=\"{sx}\" y=\"2\" width=\"{bw}\" height=\"14\" class=\"v19\"/>\
         <circle class=\"mk\" cx=\"{}\" cy=\"9\" r=\"3.5\"/>\
         <text x=\"{}\" y=\"13\">mastered</text>\
         <rect x=\"{}\" y=\"2\" width=\"{bw}\" height=\"14\" fill=\"url(#lg-na)\" class=\"na-key\"/>\
         <text x=\"{}\" y=\"13\">not assessed</text></svg>\
         <span class=\"note\"> Mastery estimate; the black mark is the mastery threshold ({mastery}).</span></div>",
        sx + bw / 2,
        sx + bw + 4,
        sx + 80,
        sx + 80 + bw + 4
    );
}
