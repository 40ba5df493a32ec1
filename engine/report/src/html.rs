//! The cohort page: one self-contained `index.html` (inline CSS and SVG; no scripts, fonts or
//! network), laid out to print on A4.
//!
//! Every number printed comes from the [`Sheets`] cells, so page and CSV agree; table cells carry
//! `class="c-<csv column>"` so a test (or a scraper) can match them. Every id and name is
//! HTML-escaped.
//!
//! **Heatmap for big cohorts.** Up to [`HEATMAP_LEARNER_ROWS`] learners the heatmap has one row
//! per learner, sorted by progress. Above that, learners sorted by progress are cut into
//! [`HEATMAP_BUCKETS`] consecutive buckets of (nearly) equal size and each row shows the bucket's
//! mean P(known) per skill, labelled by the progress ranks it covers; the per-learner values are
//! in `mastery.csv`. Long lists (stuck, inactive, group members) show their first rows on the
//! page and say how many more the CSV files hold.

use std::fmt::Write as _;

use pathwise::report::{
    CohortInput, CohortReport, GroupRule, InactiveRule, ReportSettings, format_order,
};

use super::colors;
use super::sheets::{Sheet, Sheets, p3};

/// Cohorts up to this size get one heatmap row per learner.
pub const HEATMAP_LEARNER_ROWS: usize = 150;
/// Bigger cohorts are shown as this many progress buckets.
pub const HEATMAP_BUCKETS: usize = 100;
/// Rows shown in the stuck and inactive tables (the CSV files have them all).
pub const LIST_ROWS: usize = 100;
/// Members named per group on the page (groups.csv has them all).
pub const GROUP_MEMBERS_SHOWN: usize = 40;

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// What the page says about where it comes from.
#[derive(Debug, Clone)]
pub struct PageContext<'a> {
    /// The cohort's name, e.g. "All learners" or a class id.
    pub title: &'a str,
    /// Where the figures come from (model, graph, log files), one line.
    pub sources: &'a str,
    /// Whether to link back to a parent index page (`../index.html`).
    pub back_link: bool,
}

const CSS: &str = "\
*{box-sizing:border-box;print-color-adjust:exact;-webkit-print-color-adjust:exact}\
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif;\
margin:0 auto;max-width:1200px;padding:16px 24px;color:#1b1b1b;line-height:1.35;font-size:14px}\
h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin:1.4em 0 .4em;border-bottom:2px solid #3e4989}\
h3{font-size:1.05em;margin:.8em 0 .3em}\
.summary{font-size:1.1em}.summary b{font-variant-numeric:tabular-nums}\
.note{color:#555;font-size:.9em;margin:.2em 0 .6em}\
nav a{margin-right:.9em}\
table{border-collapse:collapse;margin:.3em 0 1em;font-size:.92em}\
th,td{padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}\
th{background:#f2f2f7}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\
.hm text,.legend text{font-size:10px;fill:#333}\
svg.hm{display:block;max-width:100%;height:auto}.legend-row{display:flex;align-items:center;gap:8px}\
.bar .m{fill:#3e4989}.bar .r{fill:#35b779}.bar .x{fill:#d4d4d4}\
.key{display:inline-block;width:12px;height:12px;vertical-align:middle;margin:0 4px 0 12px}\
.group{border:1px solid #ccc;border-radius:6px;padding:6px 12px;margin:8px 0;break-inside:avoid}\
.members{font-size:.9em;color:#333}\
.reason{font-size:.88em;color:#333;max-width:480px}\
footer{margin-top:2em;color:#666;font-size:.85em}\
@page{size:A4;margin:12mm}\
@media print{body{max-width:none;padding:0;font-size:9pt}nav{display:none}\
h2{break-after:avoid}tr,.group{break-inside:avoid}svg{max-width:100%;height:auto}\
#learners{break-before:page}}";

/// Renders the cohort page.
pub fn page(
    ctx: &PageContext<'_>,
    input: &CohortInput,
    report: &CohortReport,
    sheets: &Sheets,
    settings: &ReportSettings,
) -> String {
    let mut h = String::with_capacity(64 * 1024 + report.summary.learners * 600);
    let title = escape(ctx.title);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Cohort report: {title}</title><style>{CSS}{}</style></head>\n<body>\n",
        colors::css()
    );
    if ctx.back_link {
        h.push_str("<p><a href=\"../index.html\">&larr; All cohorts</a></p>\n");
    }
    let _ = writeln!(h, "<header><h1>Cohort report: {title}</h1>");
    summary(&mut h, report);
    h.push_str(
        "<nav><a href=\"#heatmap\">Heatmap</a><a href=\"#skills\">Skills</a>\
         <a href=\"#ready-next\">Ready next</a><a href=\"#groups\">Groups</a>\
         <a href=\"#stuck\">Stuck</a><a href=\"#inactive\">No recent activity</a>\
         <a href=\"#learners\">Learners</a></nav></header>\n",
    );
    heatmap(&mut h, input, report, settings);
    skills(&mut h, sheets);
    ready_next(&mut h, input, report, sheets);
    groups(&mut h, report, sheets);
    stuck(&mut h, sheets, settings);
    inactive(&mut h, report, sheets);
    learners(&mut h, sheets);
    let _ = write!(
        h,
        "<footer><p>Made by pathwise from {}. Mastered: P(known) &ge; {}. Files beside this page: \
         learners, skills, groups, stuck, inactive and mastery tables (CSV or JSON) with every \
         number shown here.</p></footer>\n</body></html>\n",
        escape(ctx.sources),
        settings.mastery
    );
    h
}

fn summary(h: &mut String, report: &CohortReport) {
    let s = &report.summary;
    let range = match (s.first_order, s.last_order) {
        (Some(a), Some(b)) => format!(
            "{} – {}",
            format_order(s.order_kind, a),
            format_order(s.order_kind, b)
        ),
        _ => "no responses".into(),
    };
    let range_label = match s.order_kind {
        pathwise::OrderKind::TimestampMillis => "dates",
        pathwise::OrderKind::Sequence => "order",
    };
    let _ = writeln!(
        h,
        "<p class=\"summary\" id=\"summary\"><b class=\"s-learners\">{}</b> learners · \
         <b class=\"s-skills\">{}</b> skills · <b class=\"s-responses\">{}</b> attempts \
         (<b class=\"s-attempts\">{}</b> skill practices) · {range_label} \
         <b class=\"s-range\">{}</b> · mean mastery <b class=\"s-mean_mastery\">{}</b></p>",
        s.learners,
        s.skills,
        s.responses,
        s.attempts,
        escape(&range),
        p3(s.mean_mastery)
    );
}

struct HeatRow {
    label: String,
    tip: String,
    values: Vec<f64>,
}

fn heat_rows(input: &CohortInput, report: &CohortReport) -> (Vec<HeatRow>, bool) {
    let order = &report.progress_order;
    let n = order.len();
    if n <= HEATMAP_LEARNER_ROWS {
        let rows = order
            .iter()
            .map(|&li| {
                let l = &input.learners[li];
                HeatRow {
                    label: l.id.clone(),
                    tip: l.id.clone(),
                    values: l.mastery.clone(),
                }
            })
            .collect();
        return (rows, false);
    }
    let d = input.skills.len();
    let rows = (0..HEATMAP_BUCKETS)
        .filter_map(|b| {
            let (lo, hi) = (b * n / HEATMAP_BUCKETS, (b + 1) * n / HEATMAP_BUCKETS);
            if lo >= hi {
                return None;
            }
            let mut values = vec![0.0; d];
            for &li in &order[lo..hi] {
                for (v, m) in values.iter_mut().zip(&input.learners[li].mastery) {
                    *v += m;
                }
            }
            let k = (hi - lo) as f64;
            values.iter_mut().for_each(|v| *v /= k);
            let label = format!("#{}–{}", lo + 1, hi);
            Some(HeatRow {
                tip: format!(
                    "learners ranked {}–{} ({} learners, mean)",
                    lo + 1,
                    hi,
                    hi - lo
                ),
                label,
                values,
            })
        })
        .collect();
    (rows, true)
}

fn heatmap(h: &mut String, input: &CohortInput, report: &CohortReport, settings: &ReportSettings) {
    h.push_str("<section id=\"heatmap\"><h2>Mastery by learner and skill</h2>\n");
    let (rows, bucketed) = heat_rows(input, report);
    let d = input.skills.len();
    if bucketed {
        let _ = writeln!(
            h,
            "<p class=\"note\">{} learners, sorted by progress (most skills mastered first) and \
             shown as {} bands of about {} learners: each cell is the band's mean P(known). \
             Per-learner values are in <code>mastery.csv</code>.</p>",
            report.summary.learners,
            rows.len(),
            report.summary.learners.div_ceil(rows.len().max(1))
        );
    } else {
        h.push_str(
            "<p class=\"note\">One row per learner, sorted by progress (most skills mastered \
             first); columns are the skills in curriculum order, numbered as in the Skills table. \
             Each cell is the learner's P(known).</p>\n",
        );
    }
    legend(h, settings.mastery);
    if rows.is_empty() || d == 0 {
        h.push_str("<p>No learners or no skills.</p></section>\n");
        return;
    }
    let cw = (900 / d).clamp(4, 24);
    let ch = if bucketed { 8 } else { 12 };
    let label_w = 150;
    let top = 28;
    let width = label_w + cw * d + 4;
    let height = top + ch * rows.len() + 4;
    let _ = writeln!(
        h,
        "<svg class=\"hm\" role=\"img\" aria-label=\"Mastery heatmap: {} rows by {d} skills\" \
         viewBox=\"0 0 {width} {height}\" width=\"{width}\" height=\"{height}\">",
        rows.len()
    );
    let step = if cw >= 14 {
        1
    } else if cw >= 7 {
        5
    } else {
        10
    };
    for s in 0..d {
        if (s + 1) % step == 0 || s == 0 {
            let x = label_w + s * cw + cw / 2;
            let _ = write!(
                h,
                "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}<title>{}</title></text>",
                top - 6,
                s + 1,
                escape(&input.skills[s].name)
            );
        }
    }
    h.push('\n');
    for (r, row) in rows.iter().enumerate() {
        let y = top + r * ch;
        // Bands are 8 px high: label every fifth so the labels stay readable.
        let label: String = if bucketed && r % 5 != 0 {
            String::new()
        } else {
            row.label.chars().take(22).collect()
        };
        let _ = write!(
            h,
            "<g transform=\"translate(0,{y})\"><text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            label_w - 4,
            ch - 2,
            escape(&label)
        );
        let tip = escape(&row.tip);
        for (s, &v) in row.values.iter().enumerate() {
            let _ = write!(
                h,
                "<rect x=\"{}\" width=\"{cw}\" height=\"{ch}\" class=\"v{}\"><title>{tip} · {}: {}</title></rect>",
                label_w + s * cw,
                colors::bin(v),
                escape(&input.skills[s].name),
                p3(v)
            );
        }
        h.push_str("</g>\n");
    }
    h.push_str("</svg></section>\n");
}

fn legend(h: &mut String, mastery: f64) {
    let bw = 16;
    let x0 = 10;
    let width = x0 * 2 + bw * colors::BINS;
    let _ = write!(
        h,
        "<div class=\"legend-row\"><svg class=\"legend\" role=\"img\" aria-label=\"Colour scale: P(known) from 0 (dark purple) \
         to 1 (yellow); mastered from {mastery}\" viewBox=\"0 0 {width} 34\" width=\"{width}\" height=\"34\">"
    );
    for b in 0..colors::BINS {
        let _ = write!(
            h,
            "<rect x=\"{}\" y=\"2\" width=\"{bw}\" height=\"14\" class=\"v{b}\"/>",
            x0 + b * bw
        );
    }
    for t in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let x = x0 as f64 + t * (bw * colors::BINS) as f64;
        let _ = write!(
            h,
            "<text x=\"{x}\" y=\"28\" text-anchor=\"middle\">{t}</text>"
        );
    }
    let mx = x0 as f64 + mastery * (bw * colors::BINS) as f64;
    let _ = writeln!(
        h,
        "<line x1=\"{mx}\" x2=\"{mx}\" y1=\"0\" y2=\"18\" stroke=\"#000\" stroke-width=\"2\"/></svg>\
         <span class=\"note\"> P(known); the black mark is the mastery threshold ({mastery}).</span></div>"
    );
}

fn cell(h: &mut String, sheet: &Sheet, row: &[String], col: &str, numeric: bool) {
    let i = sheet.col(col);
    let class = if numeric { " n" } else { "" };
    let _ = write!(h, "<td class=\"c-{col}{class}\">{}</td>", escape(&row[i]));
}

fn skills(h: &mut String, sheets: &Sheets) {
    let sheet = &sheets.skills;
    h.push_str(
        "<section id=\"skills\"><h2>Skills: mastered, ready, not ready</h2>\n\
         <p class=\"note\"><span class=\"key\" style=\"background:#3e4989\"></span>mastered\
         <span class=\"key\" style=\"background:#35b779\"></span>ready to learn (prerequisites \
         mastered)<span class=\"key\" style=\"background:#d4d4d4\"></span>not ready yet. \
         Skills in curriculum order.</p>\n<table class=\"skills\"><thead><tr><th class=\"n\">#</th>\
         <th>Skill</th><th>Learners</th><th class=\"n\">Mastered</th><th class=\"n\">Ready</th>\
         <th class=\"n\">Not ready</th><th class=\"n\">Mean mastery</th><th class=\"n\">Attempts</th>\
         </tr></thead><tbody>\n",
    );
    let (cm, cr, cx) = (
        sheet.col("mastered"),
        sheet.col("ready"),
        sheet.col("not_ready"),
    );
    for row in &sheet.rows {
        let count = |i: usize| row[i].parse::<f64>().unwrap_or(0.0);
        let (m, r, x) = (count(cm), count(cr), count(cx));
        let total = (m + r + x).max(1.0);
        let w = 200.0;
        let (wm, wr) = (w * m / total, w * r / total);
        h.push_str("<tr>");
        cell(h, sheet, row, "position", true);
        let _ = write!(
            h,
            "<td class=\"c-name\" title=\"{}\">{}</td>",
            escape(&row[sheet.col("skill")]),
            escape(&row[sheet.col("name")])
        );
        let _ = write!(
            h,
            "<td><svg class=\"bar\" width=\"200\" height=\"12\" role=\"img\" aria-label=\"{m} mastered, \
             {r} ready, {x} not ready\"><rect class=\"m\" x=\"0\" width=\"{wm:.1}\" height=\"12\"/>\
             <rect class=\"r\" x=\"{wm:.1}\" width=\"{wr:.1}\" height=\"12\"/>\
             <rect class=\"x\" x=\"{:.1}\" width=\"{:.1}\" height=\"12\"/></svg></td>",
            wm + wr,
            w - wm - wr
        );
        for col in ["mastered", "ready", "not_ready", "mean_mastery", "attempts"] {
            cell(h, sheet, row, col, true);
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></section>\n");
}

fn ready_next(h: &mut String, input: &CohortInput, report: &CohortReport, sheets: &Sheets) {
    let sheet = &sheets.skills;
    let _ = write!(
        h,
        "<section id=\"ready-next\"><h2>Ready next for the class</h2>\n<p class=\"note\">Skills \
         the most learners are ready to learn now (not mastered, prerequisites mastered), out of \
         {} learners; \"top pick\" counts the learners whose first recommendation it is.</p>\n",
        report.summary.learners
    );
    if report.ready_next.is_empty() {
        h.push_str("<p>No learner is ready for a new skill.</p></section>\n");
        return;
    }
    h.push_str(
        "<table class=\"ready-next\"><thead><tr><th>Skill</th><th class=\"n\">Ready learners</th>\
         <th class=\"n\">Top pick for</th></tr></thead><tbody>\n",
    );
    for &s in report.ready_next.iter().take(15) {
        let row = &sheet.rows[s];
        let _ = write!(
            h,
            "<tr data-skill=\"{}\"><td class=\"c-name\">{}</td>",
            escape(&input.skills[s].id),
            escape(&row[sheet.col("name")])
        );
        cell(h, sheet, row, "ready", true);
        cell(h, sheet, row, "top_picks", true);
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></section>\n");
}

fn groups(h: &mut String, report: &CohortReport, sheets: &Sheets) {
    let sheet = &sheets.groups;
    h.push_str("<section id=\"groups\"><h2>Groups for small-group teaching</h2>\n");
    let rule = match &report.grouping.rule {
        GroupRule::Trivial => {
            "Too few learners, or all with the same mastery: one group.".to_owned()
        }
        GroupRule::Fixed { requested } => {
            format!("k-means on the learners' mastery vectors, {requested} groups as asked.")
        }
        GroupRule::Silhouette { scores, tolerance } => {
            let tried: Vec<String> = scores
                .iter()
                .map(|(k, s)| format!("k={k}: {s:.3}"))
                .collect();
            format!(
                "k-means on the learners' mastery vectors; k is the smallest number of groups \
                 whose simplified silhouette is within {tolerance} of the best ({}).",
                tried.join(", ")
            )
        }
    };
    let _ = writeln!(h, "<p class=\"note\">{}</p>", escape(&rule));
    let members_col = sheet.col("members");
    for row in &sheet.rows {
        let g = &row[sheet.col("group")];
        let _ = write!(
            h,
            "<div class=\"group\" id=\"group-{g}\"><h3>Group {g}: <span class=\"c-learners\">{}</span> \
             learners, mean mastery <span class=\"c-mean_mastery\">{}</span></h3>",
            escape(&row[sheet.col("learners")]),
            escape(&row[sheet.col("mean_mastery")])
        );
        let next = &row[sheet.col("next_skill_name")];
        if next.is_empty() {
            h.push_str("<p>Shared next skill: none (no member is ready for a new skill).</p>");
        } else {
            let _ = write!(
                h,
                "<p>Shared next skill: <b class=\"c-next_skill_name\">{}</b> (ready: \
                 <span class=\"c-next_skill_ready\">{}</span> of {})</p>",
                escape(next),
                escape(&row[sheet.col("next_skill_ready")]),
                escape(&row[sheet.col("learners")])
            );
        }
        let members: Vec<&str> = row[members_col].split(';').collect();
        let shown: Vec<String> = members
            .iter()
            .take(GROUP_MEMBERS_SHOWN)
            .map(|m| escape(m))
            .collect();
        let more = members.len().saturating_sub(GROUP_MEMBERS_SHOWN);
        let _ = write!(h, "<p class=\"members\">Members: {}", shown.join(", "));
        if more > 0 {
            let _ = write!(h, " … and {more} more (groups.csv, learners.csv)");
        }
        h.push_str("</p></div>\n");
    }
    h.push_str("</section>\n");
}

fn shown_of(h: &mut String, sheet: &Sheet, file: &str) {
    if sheet.rows.len() > LIST_ROWS {
        let _ = writeln!(
            h,
            "<p class=\"note\">Showing the first {LIST_ROWS} of {}; all are in {file}.</p>",
            sheet.rows.len()
        );
    }
}

fn stuck(h: &mut String, sheets: &Sheets, settings: &ReportSettings) {
    let sheet = &sheets.stuck;
    let _ = writeln!(
        h,
        "<section id=\"stuck\"><h2>Stuck learners</h2>\n<p class=\"note\">Wheel-spinning: at least \
         {} attempts on a skill that is still not mastered (P(known) &lt; {}); most attempts \
         first. <b class=\"c-count\">{}</b> learner–skill pairs.</p>",
        settings.stuck_attempts,
        settings.mastery,
        sheet.rows.len()
    );
    if sheet.rows.is_empty() {
        h.push_str("<p>No learner is stuck.</p></section>\n");
        return;
    }
    shown_of(h, sheet, "stuck.csv");
    h.push_str(
        "<table class=\"stuck\"><thead><tr><th>Learner</th><th>Skill</th><th class=\"n\">Attempts</th>\
         <th class=\"n\">Correct</th><th class=\"n\">Mastery</th></tr></thead><tbody>\n",
    );
    for row in sheet.rows.iter().take(LIST_ROWS) {
        h.push_str("<tr>");
        cell(h, sheet, row, "learner", false);
        cell(h, sheet, row, "skill_name", false);
        for col in ["attempts", "correct", "mastery"] {
            cell(h, sheet, row, col, true);
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></section>\n");
}

fn inactive(h: &mut String, report: &CohortReport, sheets: &Sheets) {
    let sheet = &sheets.inactive;
    h.push_str("<section id=\"inactive\"><h2>No recent activity</h2>\n");
    let rule = match &report.inactive_rule {
        InactiveRule::Days { days } => {
            format!("Last attempt at least {days} days before the last attempt in the log.")
        }
        InactiveRule::Share { share, gap } => format!(
            "Last attempt more than {:.0}% of the log's order range ({gap:.0} steps) before its end.",
            share * 100.0
        ),
        InactiveRule::NotApplicable { reason } => format!("Not checked: {reason}."),
    };
    let _ = writeln!(
        h,
        "<p class=\"note\">{} <b class=\"c-count\">{}</b> learners.</p>",
        escape(&rule),
        sheet.rows.len()
    );
    if sheet.rows.is_empty() {
        h.push_str("</section>\n");
        return;
    }
    shown_of(h, sheet, "inactive.csv");
    h.push_str(
        "<table class=\"inactive\"><thead><tr><th>Learner</th><th>Last activity</th>\
         <th class=\"n\">Gap</th><th>Last skill</th></tr></thead><tbody>\n",
    );
    for row in sheet.rows.iter().take(LIST_ROWS) {
        h.push_str("<tr>");
        cell(h, sheet, row, "learner", false);
        cell(h, sheet, row, "last_activity", false);
        cell(h, sheet, row, "gap_text", true);
        cell(h, sheet, row, "last_skill", false);
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></section>\n");
}

fn learners(h: &mut String, sheets: &Sheets) {
    let sheet = &sheets.learners;
    h.push_str(
        "<section id=\"learners\"><h2>Learners and their next step</h2>\n<p class=\"note\">Sorted by \
         progress. The next step is each learner's top recommendation, with the recommender's \
         reason.</p>\n<table class=\"learners\"><thead><tr><th class=\"n\">#</th><th>Learner</th>\
         <th class=\"n\">Group</th><th class=\"n\">Mastered</th><th class=\"n\">Mean mastery</th>\
         <th>Next skill</th><th>Activity</th><th>Why</th></tr></thead><tbody>\n",
    );
    for row in &sheet.rows {
        h.push_str("<tr>");
        cell(h, sheet, row, "rank", true);
        cell(h, sheet, row, "learner", false);
        cell(h, sheet, row, "group", true);
        cell(h, sheet, row, "mastered", true);
        cell(h, sheet, row, "mean_mastery", true);
        cell(h, sheet, row, "top_skill_name", false);
        cell(h, sheet, row, "top_activity", false);
        let i = sheet.col("top_reason");
        let _ = write!(
            h,
            "<td class=\"c-top_reason reason\">{}</td>",
            escape(&row[i])
        );
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table></section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<script>alert('x')</script> & \"y\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;y&quot;"
        );
    }
}
