"""The metrics of ``Model.evaluate`` and ``Model.crossvalidate``: pathwise's own (computed by the
Rust library) by name, or any callable ``f(y_true, y_pred)`` as scikit-learn's metrics."""

from __future__ import annotations

from typing import Callable, List, Sequence, Union

import numpy as np

from . import _native

#: A metric: a name (``"auc"``, ``"rmse"``, ``"accuracy"``, ``"log_loss"``) or a callable
#: ``f(y_true, y_pred) -> float``.
Metric = Union[str, Callable[[np.ndarray, np.ndarray], float]]

#: The metrics pathwise computes itself.
NAMES = ("auc", "rmse", "accuracy", "log_loss")


def listed(metric: Union[Metric, Sequence[Metric]]) -> List[Metric]:
    """``metric`` as a checked list of metrics: names must be known, everything else callable."""
    metrics = list(metric) if isinstance(metric, (list, tuple)) else [metric]
    if not metrics:
        raise ValueError("no metric given")
    for m in metrics:
        if isinstance(m, str):
            if m not in NAMES:
                raise ValueError(f"unknown metric {m!r}: use one of {', '.join(NAMES)} or a callable f(y_true, y_pred)")
        elif not callable(m):
            raise TypeError(f"a metric is a name or a callable f(y_true, y_pred), not {type(m).__name__}")
    return metrics


def name(metric: Metric) -> str:
    """The column name of ``metric``: its name, or the callable's ``__name__``."""
    return metric if isinstance(metric, str) else getattr(metric, "__name__", type(metric).__name__)


def score(metric: Metric, y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """``metric`` of predictions ``y_pred`` (P(correct)) against outcomes ``y_true`` (0/1)."""
    if isinstance(metric, str):
        y = np.ascontiguousarray(y_true, dtype=np.uint8)
        p = np.ascontiguousarray(y_pred, dtype=np.float64)
        return _native.metric(metric, p.tobytes(), y.tobytes())
    return float(metric(np.asarray(y_true, dtype=np.int64), np.asarray(y_pred, dtype=np.float64)))
