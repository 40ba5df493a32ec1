//! `--mastery`, `--streak` and `--spinning`: the mastery rule, the same flags on every command
//! that judges mastery (recommend, path, report, record issue, simulate).

use anyhow::Context;
use pathwise::bkt::mastery::MasteryRule;

/// When a skill counts as mastered (see docs/bkt.md, "Mastery").
#[derive(Debug, Clone, clap::Args)]
pub struct MasteryArgs {
    /// Mastery threshold on the estimate (P(known) as a share of the skill's attainable ceiling).
    #[arg(long, value_name = "P", default_value_t = MasteryRule::default().threshold)]
    pub mastery: f64,

    /// Correct answers in a row a skill needs, besides the threshold, to count as mastered.
    #[arg(long, value_name = "N", default_value_t = MasteryRule::default().streak)]
    pub streak: u32,

    /// Attempts without mastery after which practice counts as wheel-spinning.
    #[arg(long, value_name = "N", default_value_t = MasteryRule::default().spinning)]
    pub spinning: u32,
}

impl MasteryArgs {
    /// The validated rule.
    pub fn rule(&self) -> anyhow::Result<MasteryRule> {
        let rule = MasteryRule {
            threshold: self.mastery,
            streak: self.streak,
            spinning: self.spinning,
        };
        rule.validate().context("--mastery/--streak/--spinning")?;
        Ok(rule)
    }
}
