"""``pathwise.read_log`` and ``pathwise.cross_validate``: model families (BKT variants and the
baselines) compared on one log, as ``pathwise eval`` compares them."""

from __future__ import annotations

import os
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

import pandas as pd

from . import _columns, _native
from ._native import Log

#: What ``pathwise eval`` compares by default.
DEFAULT_MODELS = ("majority", "skill-mean", "afm", "pfa")

#: The metrics of every row, in the CLI's column order.
_METRICS = ("auc", "rmse", "accuracy", "log_loss")

PathLike = Union[str, "os.PathLike[str]"]


def read_log(
    paths: Union[PathLike, Sequence[PathLike]],
    preset: Optional[str] = None,
    columns: Optional[Mapping[str, str]] = None,
    encoding: str = "utf8",
    delimiter: Optional[str] = None,
    item_skills: Optional[PathLike] = None,
) -> Log:
    """Reads interaction-log files (CSV, TSV, Parquet, the DKT line format) as one log, exactly as
    the ``pathwise`` CLI reads them, with the GIL released.

    ``preset``: ``assistments``, ``datashop``, ``pybkt``, ``dkt`` or ``generic`` (detected from
    the first file when omitted). ``columns``: ``{role: column}`` overrides (as ``--col
    ROLE=NAME``), role one of ``learner``, ``skill``, ``item``, ``correct``, ``order``,
    ``group``. ``encoding``: ``utf8`` or ``latin1``. ``delimiter``: one character or ``tab``,
    ``comma``, ``semicolon``, ``pipe`` (detected when omitted). ``item_skills``: an item→skill
    map file. Errors (``ValueError``) name the file, and the line and column where they apply.
    """
    listed = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    return _native.read_log(
        [os.fspath(p) for p in listed],
        preset,
        list((columns or {}).items()),
        encoding,
        delimiter,
        None if item_skills is None else os.fspath(item_skills),
    )


def cross_validate(
    data: Optional[Any] = None,
    data_path: Optional[Union[PathLike, Sequence[PathLike]]] = None,
    models: Union[str, Sequence[str]] = DEFAULT_MODELS,
    folds: int = 5,
    seed: int = 0,
    split: str = "learner",
    test_fraction: float = 0.2,
    split_column: Optional[str] = None,
    per_skill: bool = False,
    defaults: Optional[Mapping[str, str]] = None,
    progress: Optional[Callable[[int, int], Any]] = None,
) -> pd.DataFrame:
    """Compares model families on one log by cross-validation, as ``pathwise eval`` does (the
    same numbers for the same log, models and seed), with the GIL released.

    The log: ``data``, a ``Log`` (from ``read_log``) or a table (pandas, pyarrow, polars; its
    columns named as in ``Model.fit``, ``defaults=`` overriding them; one skill per row), or
    ``data_path``, files read as ``read_log`` reads them. ``models``: ``majority``,
    ``skill-mean``, ``afm``, ``pfa``, ``bkt``, ``bkt-forgets``, ``bkt-item``,
    ``bkt-item-learn``, ``bkt-learner-prior``, each ``bkt`` one also ending in ``-ml`` (maximum
    likelihood, no pseudo-counts). ``split``: ``learner`` (``folds`` learner-level folds dealt
    with ``seed``: every learner tested exactly once, by models that never saw them) or
    ``time`` (each learner's last ``test_fraction`` of responses); ``split_column`` (with
    ``data_path``) uses the data set's own split in that column instead. Every test response is
    predicted online, from the learner's earlier responses only.

    Returns a DataFrame indexed by ``model`` (with ``per_skill``, by (``model``, ``skill``),
    ``(all)`` on the pooled rows), the columns of ``pathwise eval --format csv``: ``n``, then
    per metric (``auc``, ``rmse``, ``accuracy``, ``log_loss``) its value pooled over every
    tested response, and ``<metric>_mean`` / ``<metric>_std`` over the folds (empty on the
    per-skill rows). ``progress(fits_done, fits_total)`` is called as model fits finish.
    """
    log = _log_of(data, data_path, split_column, defaults)
    names = [models] if isinstance(models, str) else list(models)
    chosen_split = "group" if split_column is not None else split
    _, reports = _native.cross_validate_models(log, names, chosen_split, folds, test_fraction, seed, per_skill, progress)
    rows: List[Dict[str, Any]] = []
    for report in reports:
        row: Dict[str, Any] = {"model": report["model"], "skill": "(all)", "n": report["pooled"]["n"]}
        for metric in _METRICS:
            spread = report["spread"][metric]
            row[metric] = _value(report["pooled"][metric])
            row[f"{metric}_mean"] = _value(spread and spread["mean"])
            row[f"{metric}_std"] = _value(spread and spread["std"])
        rows.append(row)
        for skill in report["per_skill"]:
            rows.append({"model": report["model"], "skill": skill["skill"], "n": skill["n"], **{m: _value(skill[m]) for m in _METRICS}})
    columns = ["model", "skill", "n"] + [c for m in _METRICS for c in (m, f"{m}_mean", f"{m}_std")]
    frame = pd.DataFrame(rows, columns=columns)
    frame["n"] = frame["n"].astype("int64")
    return frame.set_index(["model", "skill"]) if per_skill else frame.drop(columns="skill").set_index("model")


def _value(v: Optional[float]) -> float:
    """A metric, NaN where it is undefined (AUC with one outcome class, a std of one fold)."""
    return float("nan") if v is None else float(v)


def _log_of(
    data: Optional[Any],
    data_path: Optional[Union[PathLike, Sequence[PathLike]]],
    split_column: Optional[str],
    defaults: Optional[Mapping[str, str]],
) -> Log:
    """The log ``cross_validate`` evaluates."""
    if (data is None) == (data_path is None):
        raise ValueError("give either data= (a Log or a table) or data_path= (log files)")
    if data_path is not None:
        return read_log(data_path, columns=None if split_column is None else {"group": split_column})
    if split_column is not None:
        raise ValueError("split_column= reads the split from log files: use data_path=, or read_log(columns={'group': ...})")
    if isinstance(data, Log):
        return data
    from . import DEFAULTS  # the column names Model.fit reads

    names = {**DEFAULTS, **(defaults or {})}
    return Log._from_columns(_columns.coded_log(_columns.read(data, None), names, None).native())
