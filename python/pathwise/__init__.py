"""pathwise for Python: Bayesian Knowledge Tracing fitted by pathwise's Rust engine, learner
states updated per response, and learning-path recommendations on a skill graph.

The fitting API follows pyBKT's (``Model.fit`` / ``predict`` / ``params`` on DataFrames with
pyBKT's column names); see ``python/README.md`` for the differences. Everything runs in the
``pathwise`` Rust library: columns cross into it as whole arrays, never row by row, and long work
releases the GIL.
"""

from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _columns, _metrics, _native
from ._metrics import Metric
from ._eval import DEFAULT_MODELS, cross_validate, read_log
from ._native import LearnerState, Log, SkillGraph, load_graph
from ._report import report
from ._simulate import POLICIES, Simulation, simulate

#: A table of responses: a pandas DataFrame, a pyarrow Table or a polars DataFrame.
Table = Any

__all__ = [
    "DEFAULTS",
    "DEFAULT_MODELS",
    "LearnerState",
    "Log",
    "Model",
    "POLICIES",
    "Recommender",
    "Simulation",
    "SkillGraph",
    "cross_validate",
    "load_graph",
    "read_log",
    "report",
    "simulate",
]

#: pyBKT's default column names (ASSISTments'); ``defaults={...}`` in ``fit``/``predict`` overrides
#: any of them. A role not named takes the first of its names in ``_columns.LAYOUTS`` the table
#: has, so pyBKT's Cognitive Tutor / KDD Cup names (``Anon Student Id``, ``KC(Default)``,
#: ``Correct First Attempt``, ``Row``, ``Problem Name``) work too. ``multigs`` / ``multilearn`` name
#: the item column used by those variants.
DEFAULTS: Dict[str, str] = {role: names[0] for role, names in _columns.LAYOUTS.items()}

#: pyBKT's parameter names (as in ``fixed``) and pathwise's.
_PARAM_NAMES = {"prior": "prior", "learns": "learn", "forgets": "forget", "guesses": "guess", "slips": "slip"}


def _item_column(names: Mapping[str, str], multigs: Union[bool, str], multilearn: Union[bool, str]) -> Optional[str]:
    """The item column the per-item variants read (a string names it; True takes the default)."""
    chosen = {
        (flag if isinstance(flag, str) else names[role])
        for role, flag in (("multigs", multigs), ("multilearn", multilearn))
        if flag
    }
    if len(chosen) > 1:
        raise ValueError(f"multigs and multilearn must use one item column, got {sorted(chosen)}")
    return chosen.pop() if chosen else None


class Model(_native.Model):
    """A Bayesian Knowledge Tracing model (pyBKT's ``Model``): ``fit`` a table, ``predict``,
    ``evaluate``, ``crossvalidate``, read ``params()``, ``save``/``load`` it as pathwise's JSON
    model file.

    ``Model(seed=0, num_fits=5, max_iter=200, tol=1e-6, pseudo_counts=None, bounds="default")``:
    ``num_fits`` starting points per skill from the seeded generator; the same data and seed give
    the same model whatever the thread count. ``pseudo_counts`` regularises EM with that many
    pseudo-observations per parameter at the textbook values (default 5, or 0 with
    ``bounds="none"``, as ``pathwise fit``); ``bounds="none"`` alone is plain maximum-likelihood
    EM with guess and slip free, as pyBKT fits; ``bounds`` also takes ``pathwise fit --bounds``'s
    per-parameter specs (``"guess=0.3,slip=0.3"``). Tables (``data=``) are pandas DataFrames, pyarrow Tables or polars
    DataFrames; ``data_path=`` reads a CSV file.
    """

    _item: Optional[str] = None

    def __init__(
        self,
        seed: int = 0,
        num_fits: int = 5,
        max_iter: int = 200,
        tol: float = 1e-6,
        pseudo_counts: Optional[float] = None,
        bounds: str = "default",
    ) -> None:
        self.seed = seed

    def fit(
        self,
        data: Optional[Table] = None,
        data_path: Optional[Union[str, os.PathLike]] = None,
        skills: Optional[Union[str, Sequence[str]]] = None,
        forgets: bool = False,
        multigs: Union[bool, str] = False,
        multilearn: Union[bool, str] = False,
        multiprior: bool = False,
        defaults: Optional[Mapping[str, str]] = None,
        fixed: Optional[Mapping[str, Mapping[str, float]]] = None,
        progress: Optional[Callable[[int, int], Any]] = None,
    ) -> "Model":
        """Fits one BKT model per skill to ``data`` (a table) or ``data_path`` (a CSV file)
        and returns ``self``.

        ``skills``: a skill name or a list of them to fit (exact names, not regular
        expressions); all skills when omitted. ``forgets``: mastery can be lost. ``multigs``:
        guess and slip per item (KT-IDEM); ``multilearn``: learn per item; either may be a column
        name instead of ``True`` (default column ``template_id``). ``multiprior``: a two-class
        mixture of learners with a prior per class. ``defaults``: column names, as in pyBKT.
        ``fixed``: ``{skill or "*": {param: value}}`` held during the fit (pyBKT's plural or
        pathwise's singular parameter names). ``progress(skills_done, skills_total)`` is called
        each time a skill is fitted (from the fitting thread, with the GIL); an exception it
        raises stops the fit and propagates, leaving the model as it was. The caller's table is
        never modified.
        """
        table = _columns.read(data, data_path)
        names = _columns.column_names(table, defaults)
        item = _item_column(names, multigs, multilearn)
        log = _skill_rows(_columns.coded_log(table, names, item), skills, names)
        variant = (bool(forgets), bool(multigs), bool(multilearn), bool(multiprior))
        self._fit_columns(log.native(), variant, _fixed_json(fixed), progress=progress)
        self._item = item
        return self

    def partial_fit(
        self,
        data: Optional[Table] = None,
        data_path: Optional[Union[str, os.PathLike]] = None,
        skills: Optional[Union[str, Sequence[str]]] = None,
        defaults: Optional[Mapping[str, str]] = None,
        fixed: Optional[Mapping[str, Mapping[str, float]]] = None,
        progress: Optional[Callable[[int, int], Any]] = None,
        **variant: Any,
    ) -> "Model":
        """Continues fitting on ``data``: EM starts from the current parameters (pyBKT's
        ``partial_fit``), keeping the fitted variant and item column; skills absent from ``data``
        keep their parameters. On an unfitted model it is ``fit`` (and takes ``fit``'s variant
        arguments). Returns ``self``."""
        if not self.is_fitted:
            return self.fit(data, data_path, skills=skills, defaults=defaults, fixed=fixed, progress=progress, **variant)
        if variant:
            raise ValueError(f"partial_fit keeps the fitted variant; drop {sorted(variant)} or call fit()")
        table = _columns.read(data, data_path)
        names = _columns.column_names(table, defaults)
        log = _skill_rows(_columns.coded_log(table, names, self._item_of(names)), skills, names)
        self._fit_columns(log.native(), self.variant, _fixed_json(fixed), warm_start=True, progress=progress)
        return self

    def predict(
        self,
        data: Optional[Table] = None,
        data_path: Optional[Union[str, os.PathLike]] = None,
        defaults: Optional[Mapping[str, str]] = None,
    ) -> Table:
        """A copy of the table (of the same kind) with two columns added, as pyBKT does:
        ``correct_predictions`` (P(correct) before each response) and ``state_predictions``
        (P(known) before it). Every learner's responses are replayed in time order; skills the
        model does not know are scored with the population-average parameters."""
        table = _columns.read(data, data_path)
        names = _columns.column_names(table, defaults)
        log = _columns.coded_log(table, names, self._item_of(names))
        correct, known = self._predict_columns(log.native())
        return _columns.with_columns(
            table,
            {
                "correct_predictions": log.per_table_row(np.frombuffer(correct, dtype=np.float64), len(table)),
                "state_predictions": log.per_table_row(np.frombuffer(known, dtype=np.float64), len(table)),
            },
        )

    def evaluate(
        self,
        data: Optional[Table] = None,
        data_path: Optional[Union[str, os.PathLike]] = None,
        metric: Union[Metric, Sequence[Metric]] = "rmse",
        defaults: Optional[Mapping[str, str]] = None,
    ) -> Union[float, List[float]]:
        """The metric of the model's predictions on ``data`` (as pyBKT's ``evaluate``), over the
        rows of the skills the model was fitted on: ``metric`` is ``"rmse"`` (default),
        ``"auc"``, ``"accuracy"``, ``"log_loss"``, a callable ``f(y_true, y_pred)`` (as
        scikit-learn's metrics), or a list of them (then a list of values)."""
        table = _columns.read(data, data_path)
        names = _columns.column_names(table, defaults)
        log = _columns.coded_log(table, names, self._item_of(names))
        known = np.isin(log.skill.codes, np.flatnonzero(np.isin(log.skill.names, self.skills)))
        if not known.any():
            raise ValueError(f"no rows of the model's skills in column {names['skill_name']!r}")
        log = log.take(known)
        correct, _ = self._predict_columns(log.native())
        values = [_metrics.score(m, log.correct, np.frombuffer(correct, dtype=np.float64)) for m in _metrics.listed(metric)]
        return values if isinstance(metric, (list, tuple)) else values[0]

    def crossvalidate(
        self,
        data: Optional[Table] = None,
        data_path: Optional[Union[str, os.PathLike]] = None,
        folds: Union[int, str] = 5,
        seed: Optional[int] = None,
        metric: Union[Metric, Sequence[Metric]] = "rmse",
        skills: Optional[Union[str, Sequence[str]]] = None,
        forgets: bool = False,
        multigs: Union[bool, str] = False,
        multilearn: Union[bool, str] = False,
        multiprior: bool = False,
        defaults: Optional[Mapping[str, str]] = None,
        fixed: Optional[Mapping[str, Mapping[str, float]]] = None,
        progress: Optional[Callable[[int, int], Any]] = None,
    ) -> pd.DataFrame:
        """Cross-validates this model's settings with ``fit``'s arguments (pyBKT's
        ``crossvalidate``): learners are dealt into ``folds`` folds (shuffled with ``seed``,
        default the model's), or ``folds`` names a column of fold labels; each fold is predicted
        by a model fitted on the others. Every learner is tested exactly once. Returns a
        DataFrame indexed by skill with one column per metric, each over the skill's pooled
        out-of-fold predictions. This model is left unchanged. ``progress(folds_done, folds)`` is
        called after each fold (an exception it raises stops the cross-validation and
        propagates)."""
        table = _columns.read(data, data_path)
        names = _columns.column_names(table, defaults)
        item = _item_column(names, multigs, multilearn)
        log = _columns.coded_log(table, names, item)
        keep = _skill_mask(log, skills, names)
        if isinstance(folds, str):
            labels = _columns.coded_column(table, folds, "folds")
            folds = (labels if log.rows is None else labels.take(log.rows)).take(keep)
        log = log.take(keep)
        fold_of_row, n_folds = _fold_of_row(log, folds, self.seed if seed is None else seed)
        variant = (bool(forgets), bool(multigs), bool(multilearn), bool(multiprior))
        predicted = np.frombuffer(
            self._cross_validate_columns(
                log.native(), variant, fold_of_row.tobytes(), n_folds, _fixed_json(fixed), progress=progress
            ),
            dtype=np.float64,
        )
        metrics = _metrics.listed(metric)
        rows = {}
        by_skill = np.argsort(log.skill.codes, kind="stable")
        bounds = np.searchsorted(log.skill.codes[by_skill], np.arange(len(log.skill.names) + 1))
        for code, name in enumerate(log.skill.names):
            rows_of_skill = by_skill[bounds[code] : bounds[code + 1]]
            if len(rows_of_skill):
                y, p = log.correct[rows_of_skill], predicted[rows_of_skill]
                rows[name] = [_metrics.score(m, y, p) for m in metrics]
        frame = pd.DataFrame.from_dict(rows, orient="index", columns=[_metrics.name(m) for m in metrics])
        frame.index.name = "skill"
        return frame

    def _item_of(self, names: Mapping[str, str]) -> Optional[str]:
        """The item column the fitted variant reads (a loaded model: the default one)."""
        if self._item is not None or not any(self.variant[1:3]):
            return self._item
        return names["multigs"] if self.variant[1] else names["multilearn"]

    def params(self) -> pd.DataFrame:
        """Every fitted parameter as a DataFrame indexed by (skill, param, class) with a
        ``value`` column, as pyBKT's ``params()``: params ``prior``, ``learns``, ``forgets``,
        ``guesses``, ``slips``; class ``default``, an item id, or ``class<k>`` for the learner
        classes' priors."""
        rows = self._param_rows()
        frame = pd.DataFrame(rows, columns=["skill", "param", "class", "value"])
        return frame.set_index(["skill", "param", "class"])

    def save(self, path: Union[str, os.PathLike]) -> None:
        """Writes the model to ``path`` as pathwise's JSON model file (readable by ``load`` and by
        the ``pathwise`` CLI). The file is replaced only once fully written."""
        text = self.to_json()
        tmp = f"{os.fspath(path)}.tmp-{os.getpid()}"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)

    def load(self, path: Union[str, os.PathLike]) -> "Model":
        """Replaces this model by the one stored at ``path`` (by ``save`` or ``pathwise fit``) and
        returns ``self``."""
        with open(path, encoding="utf-8") as f:
            self._load_json(f.read())
        self._item = None
        return self


def _skill_mask(log: _columns.Log, skills: Optional[Union[str, Sequence[str]]], names: Mapping[str, str]) -> np.ndarray:
    """Which rows hold one of ``skills`` (exact names; every row when None); a name without rows,
    or no rows at all, is an error."""
    keep = np.ones(len(log), dtype=bool)
    if skills is not None:
        wanted = [skills] if isinstance(skills, str) else list(skills)
        missing = [s for s in wanted if s not in set(log.skill.names)]
        if missing:
            raise ValueError(f"no rows for skill(s) {missing} in column {names['skill_name']!r}")
        keep = np.isin(log.skill.codes, np.flatnonzero(np.isin(log.skill.names, wanted)))
    if not keep.any():
        raise ValueError("no rows to fit")
    return keep


def _skill_rows(log: _columns.Log, skills: Optional[Union[str, Sequence[str]]], names: Mapping[str, str]) -> _columns.Log:
    """The rows of ``skills`` (see ``_skill_mask``); ``log`` itself, not a copy, when it keeps
    every row."""
    keep = _skill_mask(log, skills, names)
    return log if keep.all() else log.take(keep)


def _fixed_json(fixed: Optional[Mapping[str, Mapping[str, float]]]) -> Optional[str]:
    """``fixed`` as the JSON the native fit reads, with pathwise's parameter names."""
    if not fixed:
        return None
    return json.dumps({skill: {_PARAM_NAMES.get(k, k): float(v) for k, v in params.items()} for skill, params in fixed.items()})


def _fold_of_row(log: _columns.Log, folds: Union[int, _columns.Coded], seed: int) -> Tuple[np.ndarray, int]:
    """Each row's fold and the fold count: learners dealt into ``folds`` folds by the seeded
    shuffle, or the fold labels given."""
    if isinstance(folds, _columns.Coded):
        return folds.codes, len(folds.names)
    if isinstance(folds, bool) or not isinstance(folds, (int, np.integer)):
        raise TypeError(f"folds must be a number of folds or a column name, not {type(folds).__name__}")
    of_learner = np.frombuffer(_native.learner_folds(len(log.learner.names), int(folds), seed), dtype=np.uint32)
    return of_learner[log.learner.codes], int(folds)


class Recommender:
    """Ranks a learner's next activities on a skill graph under a model, and plans learning
    paths to goals.

    ``Recommender(graph, model, goals=(), ready=None, activities_per_skill=1)``: ``goals`` are
    skill ids (empty: the whole graph); ``ready`` lets a prerequisite count once its mastery
    estimate reaches it (default: once mastered).
    """

    def __init__(
        self,
        graph: SkillGraph,
        model: Model,
        goals: Iterable[str] = (),
        ready: Optional[float] = None,
        activities_per_skill: int = 1,
    ) -> None:
        self._native = _native.Recommender(graph, model, list(goals), ready, activities_per_skill)

    def recommend(self, state: LearnerState, k: int = 5) -> List[Dict[str, Any]]:
        """The top ``k`` recommendations for ``state``, best first: dicts with ``rank``,
        ``activity``, ``skill``, ``kind``, ``score``, ``components``, ``mastery``, ``estimate``,
        ``status``, ``p_correct``, ``remedial_for`` and ``reason`` (one readable line)."""
        return self._native.recommend(state, k)

    def path(self, state: LearnerState, goals: Iterable[str] = ()) -> Dict[str, Any]:
        """The learning path of ``state`` to ``goals`` (empty: the recommender's goals): a dict
        with ``steps`` (each skill after its prerequisites, with ``expected_opportunities`` and
        ``minutes``), and the totals."""
        return self._native.path(state, list(goals))
