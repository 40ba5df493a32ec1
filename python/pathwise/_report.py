"""``pathwise.report``: the cohort report of ``pathwise report`` (an HTML page and CSV/JSON
tables per cohort), written into a folder by the same rule as the CLI's ``-o DIR``."""

from __future__ import annotations

import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any, List, Optional, Sequence, Union

from . import _native
from ._eval import PathLike, read_log
from ._native import Log, SkillGraph

#: The marker file of a report folder and its first line (the CLI's ``.pathwise-report``).
MARKER = ".pathwise-report"
_MARKER_LINE = "pathwise report folder, format 1"


def report(
    graph: Union[SkillGraph, PathLike],
    model: Union[Any, PathLike],
    out_dir: PathLike,
    data: Optional[Any] = None,
    data_path: Optional[Union[PathLike, Sequence[PathLike]]] = None,
    group_by: Optional[str] = None,
    learners: Optional[Sequence[str]] = None,
    groups: Optional[int] = None,
    mastery: float = 0.95,
    streak: int = 3,
    spinning: int = 10,
    inactive_days: float = 14.0,
    inactive_share: float = 0.25,
    format: str = "csv",
    defaults: Optional[Any] = None,
) -> List[Path]:
    """Writes the cohort report into ``out_dir`` as ``pathwise report -o DIR`` does (the same
    files; byte for byte when the inputs are given as files), with the GIL released, and
    returns the paths written, sorted.

    ``graph``: a ``SkillGraph`` or a graph file; ``model``: a fitted ``pathwise.Model`` or a
    model file. The log: ``data`` (a ``Log`` from ``read_log``, or a table with ``fit``'s
    column names, ``defaults=`` overriding them) or ``data_path`` (files, read as
    ``read_log`` reads them). ``group_by``: one report per value of that log column (with
    ``data_path``, or a ``Log`` read with ``columns={"group": ...}``); ``learners``: only these
    learner ids; ``groups``: exactly that many teaching groups; ``mastery``/``streak``/
    ``spinning``: the mastery rule; ``inactive_days``/``inactive_share``: when a learner counts
    as inactive; ``format``: tables as ``csv`` or ``json``. See docs/report.md for every figure.

    ``out_dir`` may be missing (its parent must exist), an empty folder, or an earlier report
    (a folder holding the ``.pathwise-report`` marker), which is replaced as a whole; anything
    else is refused with ``ValueError`` before any work. The files are written into a temporary
    folder beside it that replaces it only once everything is written: an error leaves
    ``out_dir`` as it was. The recommender's warnings are issued as ``UserWarning``.
    """
    target = Path(out_dir)
    _check_target(target)
    graph_obj = graph if isinstance(graph, SkillGraph) else _native.load_graph(os.fspath(graph))
    model_obj = model if isinstance(model, _native.Model) else _load_model(model)
    if data_path is not None and data is None:
        listed = [data_path] if isinstance(data_path, (str, os.PathLike)) else list(data_path)
        log = read_log(listed, columns=None if group_by is None else {"group": group_by})
        log_names = [Path(p).name for p in listed]
    elif data is not None and data_path is None:
        if group_by is not None and not isinstance(data, Log):
            raise ValueError("group_by= reads the group column from log files: use data_path=, or read_log(columns={'group': ...})")
        from ._eval import _log_of

        log = _log_of(data, None, None, defaults)
        log_names = ["(table)"]
    else:
        raise ValueError("give either data= (a Log or a table) or data_path= (log files)")
    graph_name = Path(graph).name if not isinstance(graph, SkillGraph) else "(graph)"
    model_name = Path(model).name if not isinstance(model, _native.Model) else "(model)"
    sources = f"model {model_name}, graph {graph_name}, log {', '.join(log_names)}"
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.pathwise-tmp-", dir=target.parent))
    try:
        (tmp / MARKER).write_text(
            f"{_MARKER_LINE}\nThis folder was written by `pathwise report`; writing it again replaces it as a whole.\n",
            encoding="utf-8",
        )
        notes = _native.write_report(
            log, graph_obj, model_obj, tmp, target, sources, group_by is not None,
            None if learners is None else list(learners), groups, mastery, streak, spinning,
            inactive_days, inactive_share, format,
        )
        _check_target(target)  # again: it may have changed while the work ran
        _swap(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    for note in notes:
        warnings.warn(note, UserWarning, stacklevel=2)
    return sorted(p for p in target.rglob("*") if p.is_file())


def _load_model(path: PathLike) -> Any:
    from . import Model

    return Model().load(path)


def _check_target(target: Path) -> None:
    """Refuses a target that may not be replaced (the CLI's rule for ``-o DIR``)."""
    if target.name in ("", ".", ".."):
        raise ValueError(f"{target}: not replaced: name a folder to write, not the current or a parent folder")
    if not target.parent.is_dir() and str(target.parent) != "":
        raise ValueError(f"{target}: the folder {target.parent} does not exist")
    if target.is_symlink():
        raise ValueError(f"{target}: not replaced: it is a symbolic link (pathwise neither follows nor replaces links); name a new folder")
    if not target.exists():
        return
    if not target.is_dir():
        raise ValueError(f"{target}: not replaced: it is a file, not a folder")
    if not any(target.iterdir()) or _has_marker(target):
        return
    raise ValueError(
        f"{target}: not replaced: the folder holds files that `pathwise report` did not write (no {MARKER} marker "
        "of this format); name a new or empty folder"
    )


def _has_marker(target: Path) -> bool:
    marker = target / MARKER
    if marker.is_symlink() or not marker.is_file():
        return False
    with open(marker, "rb") as f:
        return f.read(128).split(b"\n", 1)[0] == _MARKER_LINE.encode()


def _swap(tmp: Path, target: Path) -> None:
    """Puts the written folder in the target's place; the old one (an earlier report, or an
    empty folder) is removed only after the new one is in place."""
    if not target.exists():
        os.rename(tmp, target)
        return
    aside = Path(tempfile.mkdtemp(prefix=f".{target.name}.pathwise-old-", dir=target.parent))
    os.rmdir(aside)
    os.rename(target, aside)
    try:
        os.rename(tmp, target)
    except BaseException:
        os.rename(aside, target)
        raise
    shutil.rmtree(aside, ignore_errors=True)
