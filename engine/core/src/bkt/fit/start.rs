//! Where each restart of a skill's EM starts: the warm start or the textbook values, then points
//! drawn from a generator seeded per (seed, skill, restart).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::options::FitOptions;
use super::skill_data::SkillData;
use super::slot_params::SlotParams;
use crate::bkt::model::ItemParams;
use crate::bkt::params::{PROB_FLOOR, ParamName, Params};
use crate::log::{InteractionLog, NONE_ID};

/// The starting point of restart `restart` for a skill: restart 0 is the warm start (or
/// [`Params::default`]), the others are drawn from a generator seeded by (seed, skill id,
/// restart), so a skill's fit does not depend on the other skills in the log.
pub(super) fn start_params(
    data: &SkillData<'_>,
    log: &InteractionLog,
    options: &FitOptions,
    restart: u32,
    classes: usize,
) -> SlotParams {
    let items: Vec<Option<&str>> = data
        .items
        .iter()
        .map(|&item| (item != NONE_ID).then(|| log.items().name(item)))
        .collect();
    let slots = Slots {
        items: &items,
        emit: data.n_emit(),
        trans: data.n_trans(),
    };
    start_point(
        log.skills().name(data.skill),
        slots,
        options,
        restart,
        classes,
    )
}

/// The item slots of a skill's parameters: the item of each slot (`None` for slot 0, the
/// responses without an item), and how many emission and transition slots there are.
#[derive(Clone, Copy)]
pub(super) struct Slots<'a> {
    pub items: &'a [Option<&'a str>],
    pub emit: usize,
    pub trans: usize,
}

/// [`start_params`] of the skill `skill_name` with these slots.
pub(super) fn start_point(
    skill_name: &str,
    slots: Slots<'_>,
    options: &FitOptions,
    restart: u32,
    classes: usize,
) -> SlotParams {
    let forgets = options.variant.forgets;
    let warm = options
        .warm_start
        .as_ref()
        .and_then(|m| m.skill(skill_name));
    let mut rng = ChaCha8Rng::seed_from_u64(mix(options.seed, skill_name, restart));
    let base = if restart == 0 {
        match warm {
            Some(w) => *w.params(),
            None => Params {
                forget: if forgets { 0.05 } else { 0.0 },
                ..Params::default()
            },
        }
    } else {
        Params {
            prior: rng.random_range(0.05..0.95),
            learn: rng.random_range(0.01..0.4),
            forget: if forgets {
                rng.random_range(0.01..0.2)
            } else {
                0.0
            },
            guess: rng.random_range(0.05..0.4),
            slip: rng.random_range(0.05..0.4),
        }
    };
    let mut priors: Vec<f64> = if classes == 1 {
        vec![base.prior]
    } else if restart == 0 {
        match warm.filter(|w| w.class_priors().len() == classes) {
            Some(w) => w.class_priors().to_vec(),
            None => (0..classes)
                .map(|c| (c as f64 + 0.5) / classes as f64)
                .collect(),
        }
    } else {
        let mut p: Vec<f64> = (0..classes).map(|_| rng.random_range(0.05..0.95)).collect();
        p.sort_by(f64::total_cmp);
        p
    };
    let fixed = options.fixed.for_skill(skill_name);
    let b = &options.bounds;
    let settle = |name: ParamName, v: f64| match fixed.and_then(|f| f.get(&name)) {
        Some(&x) => x.clamp(PROB_FLOOR, 1.0 - PROB_FLOOR),
        None => b.clamp(name, v),
    };
    for p in &mut priors {
        *p = settle(ParamName::Prior, *p);
    }
    let (n_emit, n_trans) = (slots.emit, slots.trans);
    let item_warm = |slot: usize| -> Option<&ItemParams> {
        let w = warm?;
        let item = (*slots.items.get(slot)?)?;
        if restart != 0 {
            return None;
        }
        w.item_index(item).and_then(|i| w.items().get(i))
    };
    let mut sp = SlotParams {
        prior: priors,
        guess: Vec::with_capacity(n_emit),
        slip: Vec::with_capacity(n_emit),
        learn: Vec::with_capacity(n_trans),
        forget: Vec::with_capacity(n_trans),
    };
    for k in 0..n_emit {
        let (g, s) = item_warm(k).map_or((base.guess, base.slip), |it| (it.guess, it.slip));
        sp.guess.push(settle(ParamName::Guess, g));
        sp.slip.push(settle(ParamName::Slip, s));
    }
    for k in 0..n_trans {
        let (l, f) = item_warm(k).map_or((base.learn, base.forget), |it| (it.learn, it.forget));
        sp.learn.push(settle(ParamName::Learn, l));
        sp.forget.push(if forgets {
            settle(ParamName::Forget, f)
        } else {
            0.0
        });
    }
    sp
}

/// A 64-bit seed from (seed, skill id, restart) — FNV-1a over the id, then SplitMix64 mixing.
fn mix(seed: u64, skill: &str, restart: u32) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in skill.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    let mut z = seed ^ h.rotate_left(17) ^ u64::from(restart).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}
