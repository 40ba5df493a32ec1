//! The demo cohort: three classes of simulated learners practising the demo curriculum under
//! known BKT parameters (with forgetting and item-level guess/slip), shipped as
//! `datasets/demo/cohort.csv` and regenerated bit for bit by [`write_demo_cohort`].
//!
//! How it is made (all from [`DEMO_SEED`]): true parameters per skill are drawn with
//! [`pathwise::eval::simulate::draw_params`] (prior 0.05–0.35, learn 0.08–0.30, forget 0–0.02, guess
//! 0.10–0.30, slip 0.05–0.15), each activity's guess and slip shifted from its skill's by up to
//! ±0.08. Learners practise with the `random-ready` policy (a teacher assigning any skill the tutor
//! thinks is ready), learning is 10× slower while a prerequisite is unknown. Class `7A` practises
//! 160 steps, `7B` 100 and `7C` 50; in each class every tenth learner stopped after 30% of the
//! steps (the report's "no recent activity" examples).

use std::io::Write;

use pathwise::eval::simulate::{
    BaselinePolicy, DEFAULT_BLOCKED_LEARN_FACTOR, SimOptions, Tutor, World,
};
use pathwise::{Result, SkillGraph};

use crate::demo_curriculum;

/// The seed everything in the demo cohort derives from.
pub const DEMO_SEED: u64 = 2026;

/// The text of the shipped `datasets/demo/cohort.csv`.
pub const DEMO_COHORT_CSV: &str = include_str!("../demo/cohort.csv");

/// The classes of the demo cohort: (group id, learners, practice steps).
const CLASSES: [(&str, usize, usize); 3] = [("7A", 28, 160), ("7B", 30, 100), ("7C", 26, 50)];

/// The demo curriculum's true world: drawn parameters, prerequisites, per-activity difficulty.
pub fn demo_world(graph: &SkillGraph) -> Result<World> {
    World::from_graph(graph, None, DEMO_SEED, DEFAULT_BLOCKED_LEARN_FACTOR)
}

/// Writes the demo cohort as CSV with columns `learner,skill,item,correct,order,group` (the
/// generic schema plus the class), rows by class, learner and step.
pub fn write_demo_cohort(out: impl Write) -> Result<()> {
    let graph = demo_curriculum();
    let world = demo_world(&graph)?;
    let (tutor_model, index) = world.tutor_for(&graph)?;
    let tutor = Tutor {
        model: &tutor_model,
        skill_index: &index,
    };
    let mut csv = csv::Writer::from_writer(out);
    let io = |e: csv::Error| pathwise::Error::config(format!("writing the demo cohort: {e}"));
    csv.write_record(["learner", "skill", "item", "correct", "order", "group"])
        .map_err(io)?;
    for (c, &(class, learners, steps)) in CLASSES.iter().enumerate() {
        let options = SimOptions {
            learners,
            steps,
            runs: 1,
            seed: DEMO_SEED + 1 + c as u64,
            ..SimOptions::default()
        };
        let mut rows = Vec::new();
        pathwise::eval::simulate::run(
            &world,
            tutor,
            &BaselinePolicy::RandomReady,
            &options,
            |a| {
                let stopped_early = a.learner % 10 == 9;
                if stopped_early && a.step as usize >= steps * 3 / 10 {
                    return;
                }
                let skill = a.skill;
                let activities = graph.skill_activities(skill);
                let item = if activities.is_empty() {
                    graph.skill(skill).id.clone()
                } else {
                    let pick = activities[a.attempt_on_skill as usize % activities.len()];
                    graph.activity(pick).id.clone()
                };
                rows.push([
                    format!("{class}-{:02}", a.learner + 1),
                    graph.skill(skill).id.clone(),
                    item,
                    u8::from(a.correct).to_string(),
                    (a.step + 1).to_string(),
                    class.to_string(),
                ]);
            },
        )?;
        for row in rows {
            csv.write_record(&row).map_err(io)?;
        }
    }
    csv.flush()
        .map_err(|e| pathwise::Error::config(format!("writing the demo cohort: {e}")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_cohort_is_the_generated_one() {
        let mut generated = Vec::new();
        write_demo_cohort(&mut generated).unwrap();
        let generated = String::from_utf8(generated).unwrap();
        assert!(
            generated == DEMO_COHORT_CSV,
            "datasets/demo/cohort.csv is stale: regenerate it with `pathwise demo --write-cohort datasets/demo/cohort.csv`"
        );
        let rows = generated.lines().count() - 1;
        assert!(rows > 5_000, "{rows} rows");
        assert!(generated.contains(",7C\n"));
    }
}
