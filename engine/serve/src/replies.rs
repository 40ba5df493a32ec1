//! The shapes of the service's JSON replies (and of an exported event), apart from the
//! [`Service`](crate::Service) that fills them.

use pathwise::{Plan, Recommendation, SkillKnowledge};
use serde::Serialize;

use crate::events::Event;
use crate::store::Seq;

/// One skill of one learner, as replies show it.
#[derive(Debug, Clone, Serialize)]
pub struct SkillView {
    /// The skill id.
    pub skill: String,
    /// What the learner knows of it.
    #[serde(flatten)]
    pub knowledge: SkillKnowledge,
}

/// A learner's knowledge of the skills asked about.
#[derive(Debug, Clone, Serialize)]
pub struct LearnerView {
    /// The learner id.
    pub learner: String,
    /// Stored events of the learner.
    pub events: u64,
    /// Stored events the graph maps to no skill (they do not move the state).
    pub unmapped: u64,
    /// Per skill, in the graph's order.
    pub skills: Vec<SkillView>,
}

/// The reply to a post of events.
#[derive(Debug, Clone, Serialize)]
pub struct Posted {
    /// Events recorded now.
    pub recorded: usize,
    /// Events whose id was already recorded (not counted again).
    pub duplicates: usize,
    /// xAPI statements that are no answer (another verb, no result, an activity the graph
    /// does not know) or that were voided before they arrived.
    pub skipped: usize,
    /// Voiding statements applied.
    pub voids: usize,
    /// Each learner of the post, with the skills the post touched.
    pub learners: Vec<LearnerView>,
}

/// A stored event as exported.
#[derive(Debug, Clone, PartialEq)]
pub struct Exported {
    /// Its place in the order of recording.
    pub seq: Seq,
    /// The event as posted.
    pub event: Event,
    /// The skills the graph in use maps it to (none: unmapped).
    pub skills: Vec<String>,
}

/// The reply to a learning-path request.
#[derive(Debug, Clone, Serialize)]
pub struct PathView {
    /// The learner id.
    pub learner: String,
    /// The path.
    #[serde(flatten)]
    pub plan: Plan,
}

/// The reply to a reload.
#[derive(Debug, Clone, Serialize)]
pub struct Reloaded {
    /// Skills of the new model.
    pub model_skills: usize,
    /// Skills of the old model that the new one has too: learners' knowledge of them carries
    /// over (replayed from their events through the new parameters).
    pub carried: usize,
    /// Skills only the new model has (every learner starts them at the prior, unless their
    /// stored events practise them).
    pub added: Vec<String>,
    /// Skills of the old model the new one does not have: their knowledge is dropped.
    pub dropped: Vec<String>,
    /// Skills of the new graph.
    pub graph_skills: usize,
    /// Activities of the new graph.
    pub activities: usize,
    /// Learners that were in memory; each is replayed from their events when next asked about.
    pub learners_to_replay: usize,
    /// What the new model and graph warn about (as `pathwise recommend` prints them).
    pub warnings: Vec<String>,
}

/// The reply to a next-activity request.
#[derive(Debug, Clone, Serialize)]
pub struct Next {
    /// The learner id.
    pub learner: String,
    /// Best first.
    pub recommendations: Vec<Recommendation>,
    /// Why the list is empty, when it is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}
