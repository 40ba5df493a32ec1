"""Interaction logs from pandas DataFrames, pyarrow Tables and polars DataFrames, as the coded
columns the native module reads: each text column as uint32 codes into its distinct values, the
correctness column as 0/1 bytes, the time order as int64. Every step is a whole-column operation
(``pandas.factorize``, Arrow's ``dictionary_encode``, numpy casts), never a Python loop over rows.
Bad values raise ``ValueError`` naming the column and the row."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any, Dict, List, Mapping, Optional, Tuple, Union

import numpy as np
import pandas as pd

#: Types ``data=`` accepts, by module and class name (pyarrow and polars are optional).
_ARROW_TYPES = {("pyarrow.lib", "Table"), ("polars.dataframe.frame", "DataFrame")}


@dataclass(frozen=True)
class Coded:
    """One text column as codes (uint32, one per row) into its distinct values."""

    codes: np.ndarray
    names: List[str]

    def take(self, rows: np.ndarray) -> "Coded":
        """The rows ``rows`` (a boolean mask or indices), with the same names."""
        return Coded(self.codes[rows], self.names)


@dataclass(frozen=True)
class Log:
    """An interaction log as coded columns."""

    learner: Coded
    skill: Coded
    item: Optional[Coded]
    correct: np.ndarray
    order: np.ndarray
    #: The table's row of each log row; None when the log holds every row of the table, in order.
    rows: Optional[np.ndarray] = None

    def __len__(self) -> int:
        return len(self.correct)

    def take(self, rows: np.ndarray) -> "Log":
        """The rows ``rows`` (a boolean mask or indices)."""
        item = self.item.take(rows) if self.item is not None else None
        table_rows = self.rows if self.rows is not None else np.arange(len(self), dtype=np.int64)
        return replace(
            self,
            learner=self.learner.take(rows),
            skill=self.skill.take(rows),
            item=item,
            correct=self.correct[rows],
            order=self.order[rows],
            rows=table_rows[rows],
        )

    def per_table_row(self, values: np.ndarray, table_rows: int) -> np.ndarray:
        """``values`` (one per log row) placed at their table rows, NaN at the rows left out."""
        if self.rows is None:
            return values
        out = np.full(table_rows, np.nan)
        out[self.rows] = values
        return out

    def native(self) -> tuple:
        """The argument tuple of the native module's ``_*_columns`` methods."""
        item: Tuple[Optional[bytes], Optional[List[str]]] = (None, None)
        if self.item is not None:
            item = (self.item.codes.tobytes(), self.item.names)
        return (
            self.learner.codes.tobytes(),
            self.learner.names,
            self.skill.codes.tobytes(),
            self.skill.names,
            *item,
            self.correct.tobytes(),
            self.order.tobytes(),
        )


def read(data: Any, data_path: Optional[Union[str, os.PathLike]]) -> Any:
    """The table given as ``data`` (pandas, pyarrow or polars) or read from the CSV file
    ``data_path``; exactly one of them."""
    if (data is None) == (data_path is None):
        raise ValueError("give exactly one of data= (a DataFrame or Arrow table) and data_path= (a CSV file)")
    if data is None:
        return _read_csv(data_path)
    if isinstance(data, pd.DataFrame) or _is_arrow(data):
        return data
    raise TypeError(f"data must be a pandas DataFrame, a pyarrow Table or a polars DataFrame, not {type(data).__name__}")


def _read_csv(path: Union[str, os.PathLike]) -> pd.DataFrame:
    """A CSV or tab-separated file (the separator the header uses more often), as UTF-8 or,
    when it is not valid UTF-8, Latin-1 (pyBKT reads every file as Latin-1; its sample files are
    tab-separated exports named ``.csv``)."""
    with open(path, "rb") as f:
        header = f.readline()
    sep = "\t" if header.count(b"\t") > header.count(b",") else ","
    try:
        return pd.read_csv(path, sep=sep, low_memory=False)
    except UnicodeDecodeError:
        return pd.read_csv(path, sep=sep, low_memory=False, encoding="latin-1")


#: The column of each role when the caller does not name it: the first of these the table has.
#: They are pyBKT's two layouts (its data helper's defaults): ASSISTments' (pyBKT's own names)
#: and the Cognitive Tutor / KDD Cup 2010 (PSLC DataShop) export's.
LAYOUTS: Dict[str, Tuple[str, ...]] = {
    "order_id": ("order_id", "Row"),
    "skill_name": ("skill_name", "KC(Default)"),
    "correct": ("correct", "Correct First Attempt"),
    "user_id": ("user_id", "Anon Student Id"),
    "multigs": ("template_id", "Problem Name"),
    "multilearn": ("template_id", "Problem Name"),
}


def column_names(table: Any, defaults: Optional[Mapping[str, str]]) -> Dict[str, str]:
    """The column of each role in ``table``: the one ``defaults`` names, else the first of the
    role's ``LAYOUTS`` the table has (else the first, which the error then names)."""
    present = _column_set(table)
    names = {role: next((c for c in candidates if c in present), candidates[0]) for role, candidates in LAYOUTS.items()}
    return {**names, **(defaults or {})}


def _column_set(table: Any) -> set:
    if isinstance(table, pd.DataFrame):
        return set(map(str, table.columns))
    return set(table.column_names if hasattr(table, "column_names") else table.columns)


def _is_arrow(data: Any) -> bool:
    return (type(data).__module__, type(data).__name__) in _ARROW_TYPES


def coded_log(table: Any, names: Mapping[str, str], item: Optional[str]) -> Log:
    """The coded columns of ``table`` under the column map ``names`` (pyBKT's roles: user_id,
    skill_name, correct, order_id; see ``column_names``); ``item`` names the item column when a
    variant needs one.

    Rows without a skill, and rows whose ``original`` column (ASSISTments) is 0 (scaffolding
    questions), are left out, as pyBKT leaves out the latter (it fits the former as a skill named
    ``nan``); ``Log.rows`` then says which rows the log holds."""
    source = _Pandas(table) if isinstance(table, pd.DataFrame) else _Arrow(table)
    learner = source.coded(_require(source, names["user_id"], "user_id"), "user_id")
    skill, no_skill = source.coded_or_missing(_require(source, names["skill_name"], "skill_name"), "skill_name")
    correct = source.correct(_require(source, names["correct"], "correct"))
    coded_item = source.coded(_require(source, item, "item"), "item") if item is not None else None
    order_column = names["order_id"]
    if order_column in source.columns:
        order = source.order(order_column)
    else:
        order = np.arange(len(correct), dtype=np.int64)
    log = Log(learner, skill, coded_item, correct, order)
    left_out = no_skill
    if "original" in source.columns:
        left_out = left_out | (source.numbers("original") == 0)
    return log.take(np.flatnonzero(~left_out)) if left_out.any() else log


def coded_column(table: Any, column: str, role: str) -> Coded:
    """One column of ``table`` as codes into its distinct values."""
    source = _Pandas(table) if isinstance(table, pd.DataFrame) else _Arrow(table)
    return source.coded(_require(source, column, role), role)


def with_columns(table: Any, added: Mapping[str, np.ndarray]) -> Any:
    """A copy of ``table`` (of the same kind) with the columns ``added``; the caller's table is
    never modified."""
    if isinstance(table, pd.DataFrame):
        out = table.copy()
        for name, values in added.items():
            out[name] = values
        return out
    if type(table).__module__.startswith("polars"):
        import polars as pl

        return table.with_columns([pl.Series(name, values) for name, values in added.items()])
    import pyarrow as pa

    out = table
    for name, values in added.items():
        out = out.append_column(name, pa.array(values))
    return out


def _require(source: Any, column: str, role: str) -> str:
    if column not in source.columns:
        candidates = LAYOUTS.get(role, (column,))
        tried = " or ".join(map(repr, candidates)) if column == candidates[0] else repr(column)
        raise ValueError(f"the data has no column {tried} ({role}); name it with defaults={{{role!r}: ...}}")
    return column


def _bad_row(mask: np.ndarray) -> int:
    return int(np.argmax(mask))


def _check_correct(numeric: np.ndarray, original: Any, column: str) -> np.ndarray:
    bad = ~np.isin(numeric, (0.0, 1.0))
    if bad.any():
        row = _bad_row(bad)
        value = original(row)
        raise ValueError(f"column {column!r} (correct), row {row}: {value!r} is not 0 or 1")
    return numeric.astype(np.uint8)


class _Pandas:
    """Columns of a pandas DataFrame."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.columns = set(map(str, frame.columns))

    def coded(self, column: str, role: str) -> Coded:
        coded, missing = self.coded_or_missing(column, role)
        if missing.any():
            raise ValueError(f"column {column!r} ({role}), row {_bad_row(missing)}: missing value")
        return coded

    def coded_or_missing(self, column: str, role: str) -> Tuple[Coded, np.ndarray]:
        """The column as codes (0 where a value is missing) and which rows miss it."""
        codes, uniques = pd.factorize(self.frame[column], sort=False)
        missing = codes < 0
        if missing.any():
            codes = np.where(missing, 0, codes)
        return Coded(codes.astype(np.uint32), [str(u) for u in uniques]), missing

    def numbers(self, column: str) -> np.ndarray:
        """The column as float64, NaN where a value is not a number."""
        return pd.to_numeric(self.frame[column], errors="coerce").to_numpy(dtype=float)

    def correct(self, column: str) -> np.ndarray:
        values = self.frame[column]
        array = values.to_numpy()
        if array.dtype == bool:
            return array.astype(np.uint8)
        numeric = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
        return _check_correct(numeric, lambda row: _plain(array[row]), column)

    def order(self, column: str) -> np.ndarray:
        values = self.frame[column]
        if pd.api.types.is_datetime64_any_dtype(values):
            if values.isna().any():
                raise ValueError(f"column {column!r} (order_id), row {_bad_row(values.isna().to_numpy())}: missing time")
            return np.ascontiguousarray(values.to_numpy(dtype="datetime64[ns]").view(np.int64))
        numeric = pd.to_numeric(values, errors="coerce")
        if numeric.isna().any():
            row = _bad_row(numeric.isna().to_numpy())
            raise ValueError(f"column {column!r} (order_id), row {row}: {_plain(values.iloc[row])!r} is not a number")
        return np.ascontiguousarray(numeric.to_numpy().astype(np.int64))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


class _Arrow:
    """Columns of a pyarrow Table or a polars DataFrame (read through its Arrow form, which
    polars hands over without copying the values)."""

    def __init__(self, table: Any) -> None:
        import pyarrow as pa

        self.pa = pa
        self.table = table if isinstance(table, pa.Table) else table.to_arrow()
        self.columns = set(self.table.column_names)

    def _column(self, column: str, role: str, nulls: bool = False) -> Any:
        """The column as one Arrow array of plain (not dictionary or view) values, without
        nulls unless ``nulls``."""
        pa = self.pa
        values = self.table.column(column)
        if pa.types.is_dictionary(values.type):
            values = values.cast(values.type.value_type)
        if pa.types.is_string_view(values.type):
            values = values.cast(pa.large_string())
        values = values.combine_chunks()
        if values.null_count and not nulls:
            row = _bad_row(values.is_null().to_numpy(zero_copy_only=False))
            raise ValueError(f"column {column!r} ({role}), row {row}: missing value")
        return values

    def coded(self, column: str, role: str) -> Coded:
        return self._coded(self._column(column, role))

    def coded_or_missing(self, column: str, role: str) -> Tuple[Coded, np.ndarray]:
        """The column as codes (0 where a value is missing) and which rows miss it."""
        values = self._column(column, role, nulls=True)
        return self._coded(values), values.is_null().to_numpy(zero_copy_only=False)

    def _coded(self, values: Any) -> Coded:
        encoded = values.dictionary_encode()
        codes = encoded.indices.fill_null(0).to_numpy(zero_copy_only=False).astype(np.uint32)
        return Coded(codes, [str(v) for v in encoded.dictionary.to_pylist()])

    def numbers(self, column: str) -> np.ndarray:
        """The column as float64, NaN where a value is missing or not a number."""
        values = self._column(column, column, nulls=True).to_numpy(zero_copy_only=False)
        return pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)

    def correct(self, column: str) -> np.ndarray:
        pa = self.pa
        values = self._column(column, "correct")
        if pa.types.is_boolean(values.type):
            return values.to_numpy(zero_copy_only=False).astype(np.uint8)
        if not (pa.types.is_integer(values.type) or pa.types.is_floating(values.type)):
            raise ValueError(f"column {column!r} (correct) holds {values.type}, not 0/1 numbers or booleans")
        numeric = values.to_numpy(zero_copy_only=False).astype(float)
        return _check_correct(numeric, lambda row: values[row].as_py(), column)

    def order(self, column: str) -> np.ndarray:
        pa = self.pa
        values = self._column(column, "order_id")
        kind = values.type
        if pa.types.is_timestamp(kind):
            values = values.cast(pa.timestamp("ns", tz=kind.tz)).cast(pa.int64())
        elif pa.types.is_date(kind):
            values = values.cast(pa.timestamp("ns")).cast(pa.int64())
        elif not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):
            raise ValueError(f"column {column!r} (order_id) holds {kind}, not numbers or timestamps")
        array = values.to_numpy(zero_copy_only=False)
        if pa.types.is_floating(kind) and np.isnan(array).any():
            raise ValueError(f"column {column!r} (order_id), row {_bad_row(np.isnan(array))}: nan is not a number")
        return np.ascontiguousarray(array.astype(np.int64))
