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
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _native
from ._native import LearnerState, SkillGraph, load_graph

__all__ = ["DEFAULTS", "LearnerState", "Model", "Recommender", "SkillGraph", "load_graph"]

#: pyBKT's default column names; ``defaults={...}`` in ``fit``/``predict`` overrides any of them.
#: ``multigs`` / ``multilearn`` name the item column used by those variants.
DEFAULTS: Dict[str, str] = {
    "order_id": "order_id",
    "skill_name": "skill_name",
    "correct": "correct",
    "user_id": "user_id",
    "multigs": "template_id",
    "multilearn": "template_id",
}

#: pyBKT's parameter names (as in ``fixed``) and pathwise's.
_PARAM_NAMES = {"prior": "prior", "learns": "learn", "forgets": "forget", "guesses": "guess", "slips": "slip"}


def _coded(values: pd.Series, role: str, column: str) -> Tuple[bytes, List[str]]:
    """A column as uint32 codes (bytes) into its distinct values (as strings), in order of first
    appearance; missing values are an error naming the column and row."""
    codes, uniques = pd.factorize(values, sort=False)
    if len(codes) and codes.min() < 0:
        row = int(np.argmax(codes < 0))
        raise ValueError(f"column {column!r} ({role}), row {row}: missing value")
    return codes.astype(np.uint32).tobytes(), [str(u) for u in uniques]


def _correct(values: pd.Series, column: str) -> bytes:
    """The correctness column as 0/1 bytes; anything but 0/1 (or booleans) is an error."""
    array = values.to_numpy()
    if array.dtype == bool:
        return array.astype(np.uint8).tobytes()
    numeric = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    bad = ~np.isin(numeric, (0.0, 1.0))
    if bad.any():
        row = int(np.argmax(bad))
        value = array[row].item() if isinstance(array[row], np.generic) else array[row]
        raise ValueError(f"column {column!r} (correct), row {row}: {value!r} is not 0 or 1")
    return numeric.astype(np.uint8).tobytes()


def _order(data: pd.DataFrame, column: str) -> bytes:
    """The time-order column as int64 bytes (timestamps as nanoseconds); row order without one."""
    if column not in data.columns:
        return np.arange(len(data), dtype=np.int64).tobytes()
    values = data[column]
    if pd.api.types.is_datetime64_any_dtype(values):
        array = values.to_numpy(dtype="datetime64[ns]").view(np.int64)
    else:
        numeric = pd.to_numeric(values, errors="coerce")
        if numeric.isna().any():
            row = int(np.argmax(numeric.isna().to_numpy()))
            raise ValueError(f"column {column!r} (order_id), row {row}: {values.iloc[row]!r} is not a number")
        array = numeric.to_numpy().astype(np.int64)
    return np.ascontiguousarray(array, dtype=np.int64).tobytes()


def _require(data: pd.DataFrame, column: str, role: str) -> pd.Series:
    if column not in data.columns:
        raise ValueError(f"the data has no column {column!r} ({role}); name it with defaults={{{role!r}: ...}}")
    return data[column]


def _columns(data: pd.DataFrame, names: Mapping[str, str], item: Optional[str]) -> tuple:
    """The coded columns the native module reads."""
    learner = _coded(_require(data, names["user_id"], "user_id"), "user_id", names["user_id"])
    skill = _coded(_require(data, names["skill_name"], "skill_name"), "skill_name", names["skill_name"])
    correct = _correct(_require(data, names["correct"], "correct"), names["correct"])
    items: Tuple[Optional[bytes], Optional[List[str]]] = (None, None)
    if item is not None:
        items = _coded(_require(data, item, "item"), "item", item)
    return (*learner, *skill, *items, correct, _order(data, names["order_id"]))


def _frame(data: Optional[pd.DataFrame], data_path: Optional[Union[str, os.PathLike]]) -> pd.DataFrame:
    if (data is None) == (data_path is None):
        raise ValueError("give exactly one of data= (a DataFrame) and data_path= (a CSV file)")
    if data is None:
        return pd.read_csv(data_path, low_memory=False)
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    return data


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
    """A Bayesian Knowledge Tracing model (pyBKT's ``Model``): ``fit`` a DataFrame, ``predict``,
    read ``params()``, ``save``/``load`` it as pathwise's JSON model file.

    ``Model(seed=0, num_fits=5, max_iter=200, tol=1e-6)``: ``num_fits`` starting points per
    skill from the seeded generator; the same data and seed give the same model whatever the
    thread count.
    """

    _item: Optional[str] = None

    def fit(
        self,
        data: Optional[pd.DataFrame] = None,
        data_path: Optional[Union[str, os.PathLike]] = None,
        skills: Optional[Union[str, Sequence[str]]] = None,
        forgets: bool = False,
        multigs: Union[bool, str] = False,
        multilearn: Union[bool, str] = False,
        multiprior: bool = False,
        defaults: Optional[Mapping[str, str]] = None,
        fixed: Optional[Mapping[str, Mapping[str, float]]] = None,
    ) -> "Model":
        """Fits one BKT model per skill to ``data`` (a DataFrame) or ``data_path`` (a CSV file)
        and returns ``self``.

        ``skills``: a skill name or a list of them to fit (exact names, not regular
        expressions); all skills when omitted. ``forgets``: mastery can be lost. ``multigs``:
        guess and slip per item (KT-IDEM); ``multilearn``: learn per item; either may be a column
        name instead of ``True`` (default column ``template_id``). ``multiprior``: a two-class
        mixture of learners with a prior per class. ``defaults``: column names, as in pyBKT.
        ``fixed``: ``{skill or "*": {param: value}}`` held during the fit (pyBKT's plural or
        pathwise's singular parameter names). The caller's DataFrame is never modified.
        """
        frame = _frame(data, data_path)
        names = {**DEFAULTS, **(defaults or {})}
        if skills is not None:
            wanted = [skills] if isinstance(skills, str) else list(skills)
            column = _require(frame, names["skill_name"], "skill_name")
            present = set(pd.unique(column[column.isin(wanted)]).astype(str))
            missing = [s for s in wanted if s not in present]
            if missing:
                raise ValueError(f"no rows for skill(s) {missing} in column {names['skill_name']!r}")
            frame = frame[column.isin(wanted)]
        if len(frame) == 0:
            raise ValueError("no rows to fit")
        item = _item_column(names, multigs, multilearn)
        fixed_json = None
        if fixed:
            fixed_json = json.dumps(
                {skill: {_PARAM_NAMES.get(k, k): float(v) for k, v in params.items()} for skill, params in fixed.items()}
            )
        self._fit_columns(
            _columns(frame, names, item), (bool(forgets), bool(multigs), bool(multilearn), bool(multiprior)), fixed_json
        )
        self._item = item
        return self

    def predict(
        self,
        data: Optional[pd.DataFrame] = None,
        data_path: Optional[Union[str, os.PathLike]] = None,
        defaults: Optional[Mapping[str, str]] = None,
    ) -> pd.DataFrame:
        """A copy of the data with two columns added, as pyBKT does: ``correct_predictions``
        (P(correct) before each response) and ``state_predictions`` (P(known) before it). Every
        learner's responses are replayed in time order; skills the model does not know are
        scored with the population-average parameters."""
        frame = _frame(data, data_path)
        names = {**DEFAULTS, **(defaults or {})}
        item = self._item
        if item is None and any(self.variant[1:3]):
            item = names["multigs"] if self.variant[1] else names["multilearn"]
        correct, known = self._predict_columns(_columns(frame, names, item))
        out = frame.copy()
        out["correct_predictions"] = np.frombuffer(correct, dtype=np.float64)
        out["state_predictions"] = np.frombuffer(known, dtype=np.float64)
        return out

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
        return json.loads(self._native._recommend_json(state, k))

    def path(self, state: LearnerState, goals: Iterable[str] = ()) -> Dict[str, Any]:
        """The learning path of ``state`` to ``goals`` (empty: the recommender's goals): a dict
        with ``steps`` (each skill after its prerequisites, with ``expected_opportunities`` and
        ``minutes``), and the totals."""
        return json.loads(self._native._path_json(state, list(goals)))
