//! The cohort page: one self-contained `index.html` (inline CSS and SVG; no scripts, fonts or
//! network), laid out to print on A4.
//!
//! Every number printed comes from the [`Sheets`] cells, so page and CSV agree; table cells carry
//! `class="c-<csv column>"` so a test (or a scraper) can match them. Every id and name is
//! HTML-escaped.
//!
//! The heatmap and its bounds are [`crate::heatmap`]'s. Long lists (stuck,
//! inactive, group members, flagged skills) show their first rows on the page and say how many
//! more the CSV files hold.

use std::fmt::Write as _;

use pathwise::report::{
    CohortInput, CohortReport, GroupRule, InactiveRule, ReportSettings, format_order,
};

use super::sheets::{Sheet, Sheets, p3};
use super::{colors, heatmap};

/// Rows shown in the stuck and inactive tables (the CSV files have them all).
pub const LIST_ROWS: usize = 100;
/// The columns of `skills.csv` the page's Skills table shows as numbers, in order.
pub const SKILL_COUNTS_SHOWN: [&str; 6] = [
    "mastered",
    "ready",
    "not_ready",
    "not_assessed",
    "mean_mastery",
    "attempts",
];
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
.na{fill:url(#hm-na)}.mk{fill:#fff;stroke:#222;stroke-width:.6}\
.flag{color:#a4161a;font-weight:bold}.warn{border-left:4px solid #a4161a;padding:4px 10px;background:#fbeaea}\
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
         <a href=\"#learners\">Learners</a><a href=\"#flagged\">Flagged fits</a></nav></header>\n",
    );
    top_pick_warning(&mut h, input, report);
    heatmap::section(&mut h, input, report, settings);
    skills(&mut h, input, sheets);
    ready_next(&mut h, input, report, sheets);
    groups(&mut h, report, sheets);
    stuck(&mut h, sheets, settings);
    inactive(&mut h, report, sheets);
    learners(&mut h, sheets);
    flagged(&mut h, input, report);
    let _ = write!(
        h,
        "<footer><p>Made by pathwise from {}. Mastered (the rule of <code>recommend</code>): \
         mastery estimate &ge; {} and at least {} correct answers in a row; a skill never attempted is not assessed, never mastered. Files beside \
         this page: learners, skills, groups, stuck, inactive and evidence tables (and mastery, \
         for cohorts up to {} cells) as CSV or JSON, with every number shown here.</p></footer>\n\
         </body></html>\n",
        escape(ctx.sources),
        settings.rule.threshold,
        settings.rule.streak,
        super::sheets::WIDE_MASTERY_CELLS
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
         <b class=\"s-range\">{}</b> · <b class=\"s-assessed\">{}</b> of {} learner–skill \
         cells assessed, mean mastery there <b class=\"s-mean_mastery\">{}</b></p>",
        s.learners,
        s.skills,
        s.responses,
        s.attempts,
        escape(&range),
        s.assessed,
        (s.learners as u64).saturating_mul(s.skills as u64),
        s.mean_mastery.map_or_else(|| "none".to_owned(), p3)
    );
}

fn cell(h: &mut String, sheet: &Sheet, row: &[String], col: &str, numeric: bool) {
    let i = sheet.col(col);
    let class = if numeric { " n" } else { "" };
    let _ = write!(h, "<td class=\"c-{col}{class}\">{}</td>", escape(&row[i]));
}

/// A flag marker after a skill name when its fit is flagged.
fn flag_mark(input: &CohortInput, skill: usize) -> String {
    let skill = &input.skills[skill];
    if skill.flagged() {
        format!(
            " <span class=\"flag\" title=\"fit flagged: {}\">&#9888;</span>",
            escape(&skill.flag_explanations().join("; "))
        )
    } else {
        String::new()
    }
}

/// The class-wide top pick, with a warning when its fit is flagged.
fn top_pick_warning(h: &mut String, input: &CohortInput, report: &CohortReport) {
    let Some(s) = report.top_pick else { return };
    let skill = &input.skills[s];
    if !skill.flagged() {
        return;
    }
    let _ = writeln!(
        h,
        "<p class=\"warn\" id=\"top-pick-warning\"><b>Check before teaching:</b> the most common \
         next step, <b>{}</b> (top pick for {} of {} learners), rests on a flagged fit ({}): its \
         model may not describe the learners well. See <a href=\"#flagged\">Flagged fits</a>.</p>",
        escape(&skill.name),
        report.skills[s].top_picks,
        report.summary.learners,
        escape(&skill.flag_names().join(", "))
    );
}

/// The skills whose fit carries a flag.
fn flagged(h: &mut String, input: &CohortInput, report: &CohortReport) {
    let flagged: Vec<usize> = (0..input.skills.len())
        .filter(|&s| input.skills[s].flagged())
        .collect();
    let _ = writeln!(
        h,
        "<section id=\"flagged\"><h2>Flagged fits</h2>\n<p class=\"note\">Skills whose fitted \
         model carries a warning (<code>flags</code> in the model file and in skills.csv: too few \
         learners or observations, a parameter at its bound, all answers right or wrong; \
         <code>not_in_model</code>: the model does not know the skill). They are marked \
         <span class=\"flag\">&#9888;</span> in the tables and are never a group's next step. \
         <b class=\"c-count\">{}</b> skills.</p>",
        flagged.len()
    );
    if flagged.is_empty() {
        h.push_str("</section>\n");
        return;
    }
    if flagged.len() > LIST_ROWS {
        let _ = writeln!(
            h,
            "<p class=\"note\">Showing the first {LIST_ROWS} of {}; all are in skills.csv.</p>",
            flagged.len()
        );
    }
    h.push_str(
        "<table class=\"flagged\"><thead><tr><th class=\"n\">#</th><th>Skill</th><th>Flags</th>\
         <th class=\"n\">Learners attempted</th><th class=\"n\">Top pick for</th></tr></thead><tbody>\n",
    );
    for &s in flagged.iter().take(LIST_ROWS) {
        let _ = writeln!(
            h,
            "<tr><td class=\"n\">{}</td><td>{}</td><td class=\"c-flags\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td></tr>",
            s + 1,
            escape(&input.skills[s].name),
            escape(&input.skills[s].flag_names().join(", ")),
            report.skills[s].attempted,
            report.skills[s].top_picks
        );
    }
    h.push_str("</tbody></table></section>\n");
}

fn skills(h: &mut String, input: &CohortInput, sheets: &Sheets) {
    let sheet = &sheets.skills;
    h.push_str(
        "<section id=\"skills\"><h2>Skills: mastered, ready, not ready</h2>\n\
         <p class=\"note\"><span class=\"key\" style=\"background:#3e4989\"></span>mastered\
         <span class=\"key\" style=\"background:#35b779\"></span>ready to learn (prerequisites \
         mastered)<span class=\"key\" style=\"background:#d4d4d4\"></span>not ready yet. \
         Mastered counts only learners with evidence; \"not assessed\" counts the learners who \
         never attempted the skill (they are in the ready or not-ready share), and the mean \
         mastery is over the learners who attempted it. Skills in curriculum order; \
         <span class=\"flag\">&#9888;</span> marks a flagged fit.</p>\n\
         <table class=\"skills\"><thead><tr><th class=\"n\">#</th>\
         <th>Skill</th><th>Learners</th><th class=\"n\">Mastered</th><th class=\"n\">Ready</th>\
         <th class=\"n\">Not ready</th><th class=\"n\">Not assessed</th>\
         <th class=\"n\">Mean mastery</th><th class=\"n\">Attempts</th></tr></thead><tbody>\n",
    );
    let (cm, cr, cx) = (
        sheet.col("mastered"),
        sheet.col("ready"),
        sheet.col("not_ready"),
    );
    for (s, row) in sheet.rows.iter().enumerate() {
        let count = |i: usize| row[i].parse::<f64>().unwrap_or(0.0);
        let (m, r, x) = (count(cm), count(cr), count(cx));
        let total = (m + r + x).max(1.0);
        let w = 200.0;
        let (wm, wr) = (w * m / total, w * r / total);
        h.push_str("<tr>");
        cell(h, sheet, row, "position", true);
        let _ = write!(
            h,
            "<td class=\"c-name\" title=\"{}\">{}{}</td>",
            escape(&row[sheet.col("skill")]),
            escape(&row[sheet.col("name")]),
            flag_mark(input, s)
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
        for col in SKILL_COUNTS_SHOWN {
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
            "<tr data-skill=\"{}\"><td class=\"c-name\">{}{}</td>",
            escape(&input.skills[s].id),
            escape(&row[sheet.col("name")]),
            flag_mark(input, s)
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
        GroupRule::Silhouette {
            scores,
            tolerance,
            min_silhouette,
            min_group,
        } => {
            let tried: Vec<String> = scores
                .iter()
                .map(|s| {
                    let why = if s.eligible { "" } else { " (not eligible)" };
                    format!(
                        "k={}: {:.3}, smallest {}{why}",
                        s.k, s.silhouette, s.smallest
                    )
                })
                .collect();
            format!(
                "k-means on the learners' evidence (P(known) where attempted, 0 where not); k is \
                 the smallest number of groups whose simplified silhouette is within {tolerance} of \
                 the best among those with every group of at least {min_group} learners and a \
                 silhouette of at least {min_silhouette}; one group when there is none ({}).",
                if tried.is_empty() {
                    "the cohort is too small to split".to_owned()
                } else {
                    tried.join("; ")
                }
            )
        }
    };
    let merged = report.grouping.merged;
    let rule = if merged > 0 {
        format!(
            "{rule} {merged} cluster(s) had no distinct next step (their best distinct skill was \
             ready for fewer than half their members) and joined the group teaching their best \
             skill."
        )
    } else {
        rule
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
            h.push_str(
                "<p>Next step: none (no member is ready for a skill with an unflagged fit).</p>",
            );
        } else {
            let _ = write!(
                h,
                "<p>Next step: <b class=\"c-next_skill_name\">{}</b> (ready: \
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
         {} attempts on a skill without reaching mastery, counted since it was last mastered \
         (mastered: estimate &ge; {} and {} correct in a row); most attempts first. <b class=\"c-count\">{}</b> learner–skill \
         pairs.</p>",
        settings.rule.spinning,
        settings.rule.threshold,
        settings.rule.streak,
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
