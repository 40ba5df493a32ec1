//! Using the items of an interaction log as activities, for graphs that list none.

use super::{Activity, SkillGraph};
use crate::InteractionLog;

impl SkillGraph {
    /// This graph with its activities replaced by the items of `log`: one activity per item
    /// (id = the item id, no name, no minutes) practising the item's skills that the graph knows,
    /// in the log's item order. Items none of whose skills are in the graph are left out, and so
    /// are responses without an item. Skill ids are matched literally.
    ///
    /// ```
    /// use pathwise::{BuildOptions, LogBuilder, RawRow, SkillGraphBuilder, SkillSpec};
    /// let mut b = SkillGraphBuilder::new("g.toml");
    /// b.add_skill(SkillSpec::new("add"));
    /// let graph = b.build(&BuildOptions::default()).unwrap().graph;
    /// let mut log = LogBuilder::new();
    /// log.push(RawRow { learner: "ann", skills: &["add"], item: Some("q1"), correct: true, order: 1, group: None });
    /// log.push(RawRow { learner: "ann", skills: &["other"], item: Some("q2"), correct: true, order: 2, group: None });
    /// let graph = graph.with_log_items(&log.build());
    /// assert_eq!(graph.n_activities(), 1);
    /// assert_eq!(graph.activity(0).id, "q1");
    /// ```
    pub fn with_log_items(mut self, log: &InteractionLog) -> SkillGraph {
        let to_graph: Vec<Option<u32>> = log
            .skills()
            .names()
            .iter()
            .map(|name| self.skill_index(name))
            .collect();
        let mut item_skills: Vec<Vec<u32>> = vec![Vec::new(); log.items().len()];
        for r in 0..log.n_responses() {
            let response = log.response(r);
            let Some(item) = response.item else { continue };
            let skills = &mut item_skills[item as usize];
            for &s in response.skills {
                if let Some(g) = to_graph[s as usize] {
                    if !skills.contains(&g) {
                        skills.push(g);
                    }
                }
            }
        }
        let activities = item_skills
            .into_iter()
            .enumerate()
            .filter(|(_, skills)| !skills.is_empty())
            .map(|(item, skills)| Activity {
                id: log.items().name(item as u32).to_owned(),
                name: None,
                skills,
                minutes: None,
            })
            .collect();
        self.set_activities(activities);
        self
    }
}
