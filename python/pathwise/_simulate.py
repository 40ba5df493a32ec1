"""``pathwise.simulate``: teaching policies compared on simulated learners, as DataFrames."""

from __future__ import annotations

import math
from typing import Any, Callable, Iterable, NamedTuple, Optional, Sequence, Union

import pandas as pd

from . import _native
from ._native import SkillGraph

#: The teaching policies ``simulate`` knows, in the order reports list them.
POLICIES = ("pathwise", "lowest-mastery-ready", "curriculum-order", "random-ready", "random")


class Simulation(NamedTuple):
    """What ``simulate`` returns (a named tuple, so ``summary, curves, *_ = simulate(...)``
    works)."""

    #: One row per policy (index ``policy``), the columns of ``pathwise simulate --format csv``:
    #: ``mastered_mean``/``_std``/``_se`` (skills truly known after the last step),
    #: ``steps_to_goals_mean``/``_std`` (censored at ``steps``), ``reached_goals`` (share of
    #: learners), ``learning_gain_mean``/``_std``/``_se``; standard deviations are over runs
    #: (0 with one run), standard errors are std / √runs.
    summary: pd.DataFrame
    #: The learning curves: index ``step`` (0 = before any practice), one column per policy, the
    #: mean number of goal skills truly known, averaged over runs.
    curves: pd.DataFrame
    #: Every run's figures: index (``policy``, ``run``), columns ``mastered``,
    #: ``steps_to_goals``, ``reached_goals``, ``learning_gain``.
    runs: pd.DataFrame
    #: pathwise's paired difference (by seed) to each other policy: index ``policy``, columns
    #: ``mastered``, ``mastered_se``, ``learning_gain``, ``learning_gain_se`` (the standard
    #: errors are NaN with one run). Empty unless ``pathwise`` and another policy were run.
    differences: pd.DataFrame
    #: With ``keep_log=True``, every simulated answer: ``policy``, ``learner`` (``r<run>-l<n>``),
    #: ``skill``, ``item``, ``correct`` (0/1), ``order`` (the step) — the log ``pathwise
    #: simulate -o`` writes, plus the policy; ``None`` otherwise.
    log: Optional[pd.DataFrame]


def simulate(
    graph: SkillGraph,
    model: Optional[Any] = None,
    policies: Union[str, Sequence[str]] = "pathwise",
    learners: int = 100,
    steps: int = 100,
    runs: int = 1,
    seed: int = 0,
    goals: Iterable[str] = (),
    mastery: float = 0.95,
    streak: int = 3,
    spinning: int = 10,
    blocked_factor: float = 0.1,
    advance_after: int = 3,
    keep_log: bool = False,
    progress: Optional[Callable[[int, int], Any]] = None,
) -> Simulation:
    """Simulated learners practise ``graph`` under each teaching policy, as ``pathwise
    simulate`` does (the same numbers for the same arguments and seed), with the GIL released.

    Each learner's true knowledge follows BKT: the true parameters come from ``model`` (a fitted
    ``pathwise.Model``; skills it lacks get its population average) or, without one, are drawn
    per skill from ``seed``; ``learn`` is multiplied by ``blocked_factor`` while a prerequisite is
    not truly known. ``policies``: a name, a list of names, or ``"all"`` (see ``POLICIES``);
    every policy runs on the same seeds (run ``r`` uses ``seed + r``). ``goals``: skill ids
    (default every skill); every policy practises only the goals and their prerequisites. The
    tutor counts a skill as mastered by the rule ``mastery`` / ``streak`` / ``spinning``;
    ``curriculum-order`` moves on after ``advance_after`` correct answers in a row.
    ``progress(policies_done, policies_total)`` is called after each policy. Bad arguments raise
    ``ValueError`` naming them; learners × steps × runs × policies is at most 100,000,000.
    """
    names = policies if isinstance(policies, str) else ",".join(policies)
    native_model = model if model is None or isinstance(model, _native.Model) else _not_a_model(model)
    result = _native.simulate(
        graph,
        native_model,
        names,
        learners,
        steps,
        runs,
        seed,
        list(goals),
        mastery,
        streak,
        spinning,
        blocked_factor,
        advance_after,
        keep_log,
        progress,
    )
    entries = result["policies"]
    summary = pd.DataFrame(
        [
            {
                "policy": e["policy"],
                "mastered_mean": e["mean_mastered"],
                "mastered_std": e["std_mastered"],
                "mastered_se": e["std_mastered"] / math.sqrt(runs),
                "steps_to_goals_mean": e["mean_steps_to_goals"],
                "steps_to_goals_std": e["std_steps_to_goals"],
                "reached_goals": e["reached_goals"],
                "learning_gain_mean": e["learning_gain"],
                "learning_gain_std": e["std_learning_gain"],
                "learning_gain_se": e["std_learning_gain"] / math.sqrt(runs),
            }
            for e in entries
        ]
    ).set_index("policy")
    curves = pd.DataFrame({e["policy"]: e["curve"] for e in entries})
    curves.index.name = "step"
    per_run = pd.DataFrame(
        [{"policy": e["policy"], "run": r, **figures} for e in entries for r, figures in enumerate(e["per_run"])]
    ).set_index(["policy", "run"])
    differences = pd.DataFrame(
        result["differences"], columns=["policy", "mastered", "mastered_se", "learning_gain", "learning_gain_se"]
    ).set_index("policy").astype(float)
    log = None
    if result["log"] is not None:
        log = pd.DataFrame(result["log"], columns=["policy", "learner", "skill", "item", "correct", "order"])
        log["correct"] = log["correct"].astype("int8")
        log["order"] = log["order"].astype("int64")
    return Simulation(summary, curves, per_run, differences, log)


def _not_a_model(model: Any) -> None:
    raise TypeError(f"model must be a pathwise.Model or None, not {type(model).__name__}")
