//! A generated world for the recommender's benchmarks: a layered skill graph (1,000 skills,
//! 5 activities each in the benches), true BKT parameters per skill, and simulated learners who
//! work through the curriculum in order. Deterministic from a seed; no extra dependency.

use std::io::{self, Write};

use pathwise::{
    ActivitySpec, BuildOptions, FitInfo, Model, Params, SkillGraph, SkillGraphBuilder, SkillModel,
    SkillSpec, Variant, bkt::SkillStats,
};

/// A small deterministic generator (xorshift64*).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed (any value).
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The generated curriculum and its true parameters. Skill `s` has id `s{s}`; index order is a
/// topological order (prerequisites always come earlier).
#[derive(Debug, Clone)]
pub struct World {
    /// Prerequisites of each skill (dense indices).
    pub requires: Vec<Vec<usize>>,
    /// Activities: id, skills practised, minutes.
    pub activities: Vec<(String, Vec<usize>, f64)>,
    /// True BKT parameters of each skill.
    pub params: Vec<Params>,
}

impl World {
    /// Skills in layers: each skill after the first 20 has 1–3 prerequisites among the 60 skills
    /// before it; `per_skill` activities per skill, the fifth of which also practises a recent
    /// earlier skill.
    pub fn new(skills: usize, per_skill: usize, seed: u64) -> Self {
        let mut rng = Rng::new(seed);
        let requires = (0..skills)
            .map(|s| {
                if s < 20 {
                    return Vec::new();
                }
                let mut pre: Vec<usize> = (0..1 + rng.below(3))
                    .map(|_| s - 1 - rng.below(60.min(s)))
                    .collect();
                pre.sort_unstable();
                pre.dedup();
                pre
            })
            .collect();
        let mut activities = Vec::with_capacity(skills * per_skill);
        for s in 0..skills {
            for a in 0..per_skill {
                let mut practised = vec![s];
                if a == 4 && s >= 20 {
                    practised.push(s - 1 - rng.below(20));
                }
                activities.push((format!("a{s}-{a}"), practised, 5.0 + a as f64));
            }
        }
        let params = (0..skills)
            .map(|_| Params {
                prior: 0.1 + 0.3 * rng.unit(),
                learn: 0.05 + 0.25 * rng.unit(),
                forget: 0.0,
                guess: 0.1 + 0.2 * rng.unit(),
                slip: 0.05 + 0.1 * rng.unit(),
            })
            .collect();
        Self {
            requires,
            activities,
            params,
        }
    }

    /// The skill graph.
    pub fn graph(&self) -> SkillGraph {
        let mut b = SkillGraphBuilder::new("generated");
        for (s, pre) in self.requires.iter().enumerate() {
            b.add_skill(
                SkillSpec::new(format!("s{s}"))
                    .name(format!("Skill {s}"))
                    .requires(pre.iter().map(|p| format!("s{p}"))),
            );
        }
        for (id, skills, minutes) in &self.activities {
            b.add_activity(
                ActivitySpec::new(id.clone(), skills.iter().map(|s| format!("s{s}")))
                    .minutes(*minutes),
            );
        }
        b.build(&BuildOptions::default())
            .expect("a DAG by construction")
            .graph
    }

    /// The model holding the true parameters.
    pub fn model(&self) -> Model {
        let skills = self
            .params
            .iter()
            .enumerate()
            .map(|(s, p)| {
                SkillModel::new(format!("s{s}"), *p, vec![], vec![], SkillStats::default())
            })
            .collect();
        Model::new(Variant::default(), skills, vec![], FitInfo::default()).expect("valid")
    }

    /// The graph as native TOML.
    pub fn write_toml(&self, out: &mut dyn Write) -> io::Result<()> {
        for (s, pre) in self.requires.iter().enumerate() {
            writeln!(out, "[[skill]]\nid = \"s{s}\"\nname = \"Skill {s}\"")?;
            let list: Vec<String> = pre.iter().map(|p| format!("\"s{p}\"")).collect();
            writeln!(out, "requires = [{}]\n", list.join(", "))?;
        }
        for (id, skills, minutes) in &self.activities {
            let list: Vec<String> = skills.iter().map(|s| format!("\"s{s}\"")).collect();
            writeln!(
                out,
                "[[activity]]\nid = \"{id}\"\nskills = [{}]\nminutes = {minutes}\n",
                list.join(", ")
            )?;
        }
        Ok(())
    }

    /// Simulated learners in the generic CSV schema (`learner,skill,item,correct,order`): each
    /// works through the skills in index order, `responses` answers in all, moving on after three
    /// correct answers in a row or six attempts. Answers follow the true BKT parameters.
    pub fn write_log(
        &self,
        out: &mut dyn Write,
        learners: usize,
        responses: usize,
        seed: u64,
    ) -> io::Result<()> {
        let mut rng = Rng::new(seed);
        let per_skill = self.activities.len() / self.params.len().max(1);
        writeln!(out, "learner,skill,item,correct,order")?;
        for l in 0..learners {
            let mut skill = 0;
            let mut known = rng.unit() < self.params[0].prior;
            let (mut streak, mut tries) = (0, 0);
            for t in 0..responses {
                let p = &self.params[skill];
                let correct = if known {
                    rng.unit() >= p.slip
                } else {
                    rng.unit() < p.guess
                };
                let item = rng.below(per_skill.max(1));
                writeln!(
                    out,
                    "L{l},s{skill},a{skill}-{item},{},{t}",
                    u8::from(correct)
                )?;
                known = known || rng.unit() < p.learn;
                streak = if correct { streak + 1 } else { 0 };
                tries += 1;
                if (streak >= 3 || tries >= 6) && skill + 1 < self.params.len() {
                    skill += 1;
                    known = rng.unit() < self.params[skill].prior;
                    (streak, tries) = (0, 0);
                }
            }
        }
        Ok(())
    }
}
