"""pathwise on Spark: fit, predict and recommend for logs beyond one machine.

``fit`` fits every skill of a Spark DataFrame in parallel across the executors (one group of rows
per skill, ``groupBy(skill).applyInPandas``) and assembles one ``pathwise.Model`` on the driver;
it equals ``pathwise.Model(...).fit(data=...)`` of the same rows on one machine, because a skill's
fit depends only on its own rows, the seed and the skill's name. ``predict`` and ``recommend``
work per learner (``groupBy(user_id).applyInPandas``). The executors need the ``pathwise`` wheel
installed (python/README.md, "Spark").

Rows keep the DataFrame's order inside each group (a row number is taken before grouping), so
ties in the order column resolve as on one machine. Bad input raises ``ValueError`` on the
driver: a missing column before any Spark job; a bad value from the executors, naming the skill
or learner, the column and the row within that group.
"""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union

import numpy as np
import pandas as pd

from . import LearnerState, Model, Recommender, _columns, _fixed_json, _item_column, _native, load_graph

__all__ = ["fit", "fit_large_skill", "predict", "recommend"]

#: The row-number column added before grouping (dropped from every result).
ROW = "__pathwise_row"

#: What an executor puts before a ``ValueError``'s message so that the driver can raise it again.
_MARK = "pathwise.spark: "

#: The columns of ``recommend``'s rows after the learner column, with their Spark types.
_PICK_FIELDS = [
    ("rank", "long"),
    ("activity", "string"),
    ("skill", "string"),
    ("kind", "string"),
    ("score", "double"),
    ("mastery", "double"),
    ("p_correct", "double"),
    ("status", "string"),
    ("remedial_for", "string"),
    ("reason", "string"),
]


def fit(
    df: Any,
    skills: Optional[Union[str, Sequence[str]]] = None,
    seed: int = 0,
    num_fits: int = 5,
    max_iter: int = 200,
    tol: float = 1e-6,
    pseudo_counts: Optional[float] = None,
    bounds: str = "default",
    forgets: bool = False,
    multigs: Union[bool, str] = False,
    multilearn: Union[bool, str] = False,
    multiprior: bool = False,
    defaults: Optional[Mapping[str, str]] = None,
    fixed: Optional[Mapping[str, Mapping[str, float]]] = None,
    large_skills: Optional[Union[str, Sequence[str]]] = None,
    partitions: Optional[int] = None,
) -> Model:
    """Fits one BKT model per skill of the Spark DataFrame ``df`` (pyBKT's columns, renamed with
    ``defaults``), the skills in parallel across the executors, and returns the model assembled
    on the driver. The arguments are those of ``pathwise.Model(...)`` and ``Model.fit``; the
    result equals ``pathwise.Model(seed=seed, ...).fit(data=df.toPandas(), ...)``.

    ``multiprior`` is refused: its learner classes are fitted across every skill, so its skills
    cannot be fitted apart. Each skill's rows must fit in one executor's memory, except those of
    ``large_skills``: they are fitted by ``fit_large_skill`` over ``partitions`` partitions of
    their learners (equal to the one-machine fit to rounding, not bit for bit)."""
    if multiprior:
        raise ValueError(
            "multiprior=True cannot be fitted per skill on Spark: its learner classes are fitted "
            "across every skill; fit it with pathwise.Model on one machine"
        )
    settings = dict(seed=seed, num_fits=num_fits, max_iter=max_iter, tol=tol, pseudo_counts=pseudo_counts, bounds=bounds)
    Model(**settings)  # checks the settings before any Spark job
    names = _columns.column_names(df, defaults)
    item = _item_column(names, multigs, multilearn)
    skill_column = names["skill_name"]
    frame = _selected(_numbered(df, _roles(names, item)), names, item)
    frame = frame.filter(_has_value(frame, skill_column))  # left out on one machine too
    wanted = None if skills is None else _listed(skills)
    if wanted is not None:
        frame = frame.filter(_skill_text(skill_column).isin(wanted))
    large = [s for s in _listed(large_skills) if wanted is None or s in wanted]
    if large and (multigs or multilearn):
        raise ValueError("large_skills are fitted with one parameter set per skill: not with multigs or multilearn")
    if large:
        frame = frame.filter(~_skill_text(skill_column).isin(large))
    options = dict(forgets=forgets, multigs=multigs, multilearn=multilearn, defaults=names, fixed=fixed)

    def fit_skill(rows: pd.DataFrame) -> pd.DataFrame:
        rows = rows.sort_values(ROW, kind="stable").drop(columns=ROW)
        skill = rows[skill_column].iloc[0]
        with _marked(f"skill {_name(skill)}"):
            model = Model(**settings).fit(data=rows, **options)
        return pd.DataFrame({"skill": [str(skill)], "model": [model.to_json()]})

    parts = _collect(frame.groupBy(skill_column).applyInPandas(fit_skill, schema="skill string, model string"))
    for skill in large:
        one = fit_large_skill(df, skill, partitions=partitions, forgets=forgets, defaults=defaults, fixed=fixed, **settings)
        parts.append({"skill": skill, "model": one.to_json()})
    if wanted is not None:
        missing = sorted(set(wanted) - {p["skill"] for p in parts})
        if missing:
            raise ValueError(f"no rows for skill(s) {missing} in column {skill_column!r}")
    if not parts:
        raise ValueError("no rows to fit")
    model = Model.from_json(_native.combine_models([p["model"] for p in parts]))
    model._item = item
    return model


def fit_large_skill(
    df: Any,
    skill: str,
    partitions: Optional[int] = None,
    seed: int = 0,
    num_fits: int = 5,
    max_iter: int = 200,
    tol: float = 1e-6,
    pseudo_counts: Optional[float] = None,
    bounds: str = "default",
    forgets: bool = False,
    defaults: Optional[Mapping[str, str]] = None,
    fixed: Optional[Mapping[str, Mapping[str, float]]] = None,
) -> Model:
    """Fits the one skill ``skill`` of ``df`` (matched as text) when its rows are too many for
    one executor: its rows are split into ``partitions`` partitions by learner (default: Spark's
    default parallelism, which needs a classic session, not Spark Connect) and cached; each EM
    iteration, every partition computes the expected counts of its learners at the points EM
    waits for (one Spark job), and the driver adds them and takes the M-step, as the one-machine
    fit does from the same starting points. Returns the one-skill model
    (``pathwise.spark.fit(..., large_skills=[...])`` combines it with the others). Equal to
    ``pathwise.Model(...).fit`` of the skill up to the order of the floating-point additions
    (within 1e-9). Variants: ``forgets`` or not; per-item parameters and learner classes are
    not partitioned yet."""
    from pyspark.sql import functions as F

    settings = dict(seed=seed, num_fits=num_fits, max_iter=max_iter, tol=tol, pseudo_counts=pseudo_counts, bounds=bounds)
    names = _columns.column_names(df, defaults)
    skill = str(skill)
    em = _native.PartitionedFit(Model(**settings), skill, bool(forgets), _fixed_json(fixed))
    frame = _selected(_numbered(df, _roles(names, None)), names, None)
    frame = frame.filter(_skill_text(names["skill_name"]) == F.lit(skill))
    count = partitions or df.sparkSession.sparkContext.defaultParallelism
    frame = frame.repartition(count, names["user_id"]).sortWithinPartitions(ROW).cache()
    try:
        while True:
            points = em.pending()
            if points == "[]":
                break

            def counts_of(batches: Iterable[pd.DataFrame], points: str = points) -> Iterable[pd.DataFrame]:
                rows = list(batches)
                if rows:
                    table = pd.concat(rows, ignore_index=True).drop(columns=ROW)
                    with _marked(f"skill {skill!r}"):
                        log = _columns.coded_log(table, names, None)
                        counts = _native.partition_counts(log.native(), skill, points, bool(forgets))
                    yield pd.DataFrame({"counts": [counts]})

            parts = _collect(frame.mapInPandas(counts_of, "counts string"))
            if not parts:
                raise ValueError(f"no rows for skill {skill!r} in column {names['skill_name']!r}")
            em.receive([p["counts"] for p in parts])
    finally:
        frame.unpersist()
    return Model.from_json(em.finish())


def predict(df: Any, model: Model, defaults: Optional[Mapping[str, str]] = None) -> Any:
    """``df`` with ``correct_predictions`` and ``state_predictions`` added (as
    ``Model.predict``): each learner's rows are replayed on an executor, in time order. The rows
    come back grouped by learner (Spark keeps no row order)."""
    from pyspark.sql.types import DoubleType, StructField, StructType

    text, item = model.to_json(), model._item
    names = _columns.column_names(df, defaults)
    frame = _numbered(df, _roles(names, model._item_of(names)))
    learner_column = names["user_id"]
    schema = StructType(
        [f for f in df.schema.fields if f.name not in ("correct_predictions", "state_predictions")]
        + [StructField("correct_predictions", DoubleType()), StructField("state_predictions", DoubleType())]
    )
    replica = _Replica(text, item)

    def predict_learner(rows: pd.DataFrame) -> pd.DataFrame:
        rows = rows.sort_values(ROW, kind="stable").drop(columns=ROW)
        with _marked(f"learner {_name(rows[learner_column].iloc[0])}"):
            return replica.model().predict(data=rows, defaults=names)

    return frame.groupBy(learner_column).applyInPandas(predict_learner, schema=schema)


def recommend(
    df: Any,
    graph_path: Union[str, os.PathLike],
    model: Model,
    k: int = 5,
    goals: Iterable[str] = (),
    ready: Optional[float] = None,
    defaults: Optional[Mapping[str, str]] = None,
) -> Any:
    """The top ``k`` recommendations of every learner of ``df``, as a Spark DataFrame with the
    learner column then ``rank``, ``activity``, ``skill``, ``kind``, ``score``, ``mastery``,
    ``p_correct``, ``status``, ``remedial_for`` and ``reason``: each learner's responses are
    replayed in time order into a ``LearnerState`` on an executor, then ranked by
    ``Recommender(graph, model, goals, ready)``. The graph file is read on the driver (errors
    name it) and shipped to the executors with ``SparkContext.addFile``."""
    load_graph(graph_path)  # bad graph: the error names the file, before any Spark job
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive number of recommendations, got {k!r}")
    path = os.path.abspath(os.fspath(graph_path))
    df.sparkSession.sparkContext.addFile(path)
    graph_name = os.path.basename(path)
    text, goals = model.to_json(), list(goals)
    names = _columns.column_names(df, defaults)
    item = model._item_of(names)
    frame = _selected(_numbered(df, _roles(names, item)), names, item)
    learner_column = names["user_id"]
    learner_type = df.schema[learner_column].dataType.simpleString()
    schema = f"`{learner_column}` {learner_type}, " + ", ".join(f"{n} {t}" for n, t in _PICK_FIELDS)
    replica = _Replica(text, item)

    def recommend_learner(rows: pd.DataFrame) -> pd.DataFrame:
        from pyspark import SparkFiles

        rows = rows.sort_values(ROW, kind="stable").drop(columns=ROW)
        learner = rows[learner_column].iloc[0]
        with _marked(f"learner {_name(learner)}"):
            model = replica.model()
            state = _replayed(model, rows, names, item)
            ranker = replica.recommender(lambda: Recommender(load_graph(SparkFiles.get(graph_name)), model, goals, ready))
            picks = ranker.recommend(state, int(k))
        out = pd.DataFrame({name: [p.get(name) for p in picks] for name, _ in _PICK_FIELDS})
        out.insert(0, learner_column, [learner] * len(picks))
        return out

    return frame.groupBy(learner_column).applyInPandas(recommend_learner, schema=schema)


class _Replica:
    """The driver's model, rebuilt once per task on an executor from its JSON (and the
    recommender built on it)."""

    def __init__(self, text: str, item: Optional[str]) -> None:
        self.text, self.item = text, item
        self._model: Optional[Model] = None
        self._recommender: Optional[Recommender] = None

    def model(self) -> Model:
        if self._model is None:
            self._model = Model.from_json(self.text)
            self._model._item = self.item
        return self._model

    def recommender(self, build: Callable[[], Recommender]) -> Recommender:
        if self._recommender is None:
            self._recommender = build()
        return self._recommender

    def __getstate__(self) -> Dict[str, Any]:
        return {"text": self.text, "item": self.item}

    def __setstate__(self, state: Dict[str, Any]) -> None:
        self.__init__(state["text"], state["item"])


def _replayed(model: Model, rows: pd.DataFrame, names: Mapping[str, str], item: Optional[str]) -> LearnerState:
    """A learner state after ``rows`` (one learner's, in row order) replayed in time order."""
    log = _columns.coded_log(rows, names, item)
    state = LearnerState(model)
    items = log.item.names if log.item is not None else None
    for r in np.argsort(log.order, kind="stable"):
        state.observe(
            log.skill.names[log.skill.codes[r]],
            bool(log.correct[r]),
            items[log.item.codes[r]] if items is not None else None,
        )
    return state


def _roles(names: Mapping[str, str], item: Optional[str]) -> Dict[str, str]:
    """The columns a job needs, by role (the order column is optional: without it, row order is
    time order)."""
    roles = {"user_id": names["user_id"], "skill_name": names["skill_name"], "correct": names["correct"]}
    if item is not None:
        roles["item"] = item
    return roles


def _numbered(df: Any, roles: Mapping[str, str]) -> Any:
    """``df`` with the row-number column, after checking that it holds every column of
    ``roles``: a missing one is a ``ValueError`` naming it and its role."""
    from pyspark.sql import functions as F

    present = set(df.columns)
    for role, column in roles.items():
        if column not in present:
            raise ValueError(f"the data has no column {column!r} ({role}); name it with defaults={{{role!r}: ...}}")
    if ROW in present:
        raise ValueError(f"the data has a column {ROW!r}, which pathwise.spark uses for row order; rename it")
    return df.withColumn(ROW, F.monotonically_increasing_id())


def _selected(frame: Any, names: Mapping[str, str], item: Optional[str]) -> Any:
    """Only the columns the per-group work reads (the roles, the order column and ASSISTments'
    ``original`` when present, the row number), so that no other column crosses to the
    executors' Python."""
    wanted = [*_roles(names, item).values(), names["order_id"], "original", ROW]
    return frame.select(*[c for c in dict.fromkeys(wanted) if c in frame.columns])


def _listed(names: Optional[Union[str, Sequence[str]]]) -> List[str]:
    """A name or a list of names as a list of texts."""
    if names is None:
        return []
    return [str(names)] if isinstance(names, str) else [str(n) for n in names]


def _skill_text(column: str) -> Any:
    """The column as text, as the skill names of a fit read it."""
    from pyspark.sql import functions as F

    return F.col(column).cast("string")


def _has_value(frame: Any, column: str) -> Any:
    """The rows of ``frame`` where ``column`` holds a value (not null, not NaN)."""
    from pyspark.sql import functions as F
    from pyspark.sql.types import DoubleType, FloatType

    present = F.col(column).isNotNull()
    if isinstance(frame.schema[column].dataType, (DoubleType, FloatType)):
        present = present & ~F.isnan(F.col(column))
    return present


def _name(value: Any) -> str:
    return repr(value.item() if isinstance(value, np.generic) else value)


class _marked:
    """Prefixes a ``ValueError`` raised on an executor with the group it concerns and the mark
    ``_collect`` looks for."""

    def __init__(self, group: str) -> None:
        self.group = group

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, _tb: Any) -> bool:
        if kind is not None and issubclass(kind, ValueError) and not str(error).startswith(_MARK):
            raise ValueError(f"{_MARK}{self.group}: {error}") from error
        return False


def _collect(frame: Any) -> List[Dict[str, Any]]:
    """The rows of ``frame`` as dicts; a ``ValueError`` raised on an executor is raised again
    here as a ``ValueError`` with its own message."""
    try:
        return [row.asDict() for row in frame.collect()]
    except Exception as error:  # Spark wraps executor errors in its own exception types
        raise _executor_value_error(error) or error


def _executor_value_error(error: BaseException) -> Optional[ValueError]:
    """The ``ValueError`` an executor raised (found by its mark in Spark's message), if any."""
    text = str(error)
    at = text.find(_MARK)
    if at < 0:
        return None
    line = text[at + len(_MARK) :].splitlines()[0]
    return ValueError(line)
