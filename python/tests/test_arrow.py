"""Arrow-backed input: pyarrow Tables and polars DataFrames give the same models and predictions
as pandas, and bad values name the column and the row."""

import numpy as np
import pytest

import pathwise
from conftest import COHORT_COLUMNS

pa = pytest.importorskip("pyarrow")


def test_pyarrow_table_fits_and_predicts_as_pandas(cohort, cohort_model):
    table = pa.Table.from_pandas(cohort, preserve_index=False)
    model = pathwise.Model(seed=1).fit(table, defaults=COHORT_COLUMNS)
    assert model.fingerprint == cohort_model.fingerprint
    out = model.predict(table, defaults=COHORT_COLUMNS)
    assert isinstance(out, pa.Table)
    assert out.column_names == table.column_names + ["correct_predictions", "state_predictions"]
    expected = cohort_model.predict(cohort, defaults=COHORT_COLUMNS)
    np.testing.assert_array_equal(out.column("correct_predictions").to_numpy(), expected["correct_predictions"])
    assert table.num_columns == len(cohort.columns)


def test_chunked_and_dictionary_columns(cohort, cohort_model):
    table = pa.Table.from_pandas(cohort, preserve_index=False)
    half = len(cohort) // 2
    chunked = pa.concat_tables([table.slice(0, half), table.slice(half)])
    assert chunked.column("skill").num_chunks == 2
    encoded = chunked.set_column(
        chunked.column_names.index("skill"), "skill", chunked.column("skill").dictionary_encode()
    )
    assert pathwise.Model(seed=1).fit(encoded, defaults=COHORT_COLUMNS).fingerprint == cohort_model.fingerprint


def test_arrow_timestamps_and_booleans():
    learners = ["a", "a", "a", "b", "b", "b"]
    times = pa.array([3, 1, 2, 1, 2, 3], pa.int64()).cast(pa.timestamp("s"))
    table = pa.table(
        {
            "user_id": learners,
            "skill_name": ["s"] * 6,
            "correct": pa.array([True, False, True, False, True, True]),
            "order_id": times,
        }
    )
    as_ints = table.set_column(2, "correct", pa.array([1, 0, 1, 0, 1, 1], pa.int8())).set_column(
        3, "order_id", pa.array([3, 1, 2, 1, 2, 3], pa.int64())
    )
    a = pathwise.Model(seed=1).fit(table)
    assert a.fingerprint == pathwise.Model(seed=1).fit(as_ints).fingerprint
    np.testing.assert_array_equal(
        a.predict(table).column("correct_predictions").to_numpy(),
        a.predict(as_ints).column("correct_predictions").to_numpy(),
    )


def test_arrow_bad_values_name_column_and_row(cohort):
    table = pa.Table.from_pandas(cohort, preserve_index=False)
    correct = table.column("correct").to_pylist()
    correct[7] = 3
    with pytest.raises(ValueError, match=r"column 'correct' \(correct\), row 7: 3 is not 0 or 1"):
        pathwise.Model().fit(table.set_column(table.column_names.index("correct"), "correct", pa.array(correct)), defaults=COHORT_COLUMNS)
    learners = table.column("learner").to_pylist()
    learners[11] = None
    with pytest.raises(ValueError, match=r"column 'learner' \(user_id\), row 11: missing value"):
        pathwise.Model().fit(table.set_column(table.column_names.index("learner"), "learner", pa.array(learners)), defaults=COHORT_COLUMNS)
    text = table.set_column(table.column_names.index("correct"), "correct", pa.array(["yes"] * len(cohort)))
    with pytest.raises(ValueError, match=r"column 'correct' \(correct\) holds string"):
        pathwise.Model().fit(text, defaults=COHORT_COLUMNS)
    with pytest.raises(ValueError, match="no column 'learner'"):
        pathwise.Model().fit(table.drop_columns(["learner"]), defaults=COHORT_COLUMNS)
    with pytest.raises(TypeError, match="not list"):
        pathwise.Model().fit([1, 2, 3])


def test_polars_dataframe_fits_evaluates_and_predicts_as_pandas(cohort, cohort_model):
    pl = pytest.importorskip("polars")
    frame = pl.from_pandas(cohort)
    model = pathwise.Model(seed=1).fit(frame, defaults=COHORT_COLUMNS)
    assert model.fingerprint == cohort_model.fingerprint
    out = model.predict(frame, defaults=COHORT_COLUMNS)
    assert isinstance(out, pl.DataFrame)
    expected = cohort_model.predict(cohort, defaults=COHORT_COLUMNS)
    np.testing.assert_array_equal(out["correct_predictions"].to_numpy(), expected["correct_predictions"])
    assert model.evaluate(frame, metric="auc", defaults=COHORT_COLUMNS) == pytest.approx(
        cohort_model.evaluate(cohort, metric="auc", defaults=COHORT_COLUMNS)
    )
    categorical = frame.with_columns(pl.col("skill").cast(pl.Categorical))
    assert pathwise.Model(seed=1).fit(categorical, defaults=COHORT_COLUMNS).fingerprint == cohort_model.fingerprint
    nulls = frame.with_columns(pl.when(pl.int_range(pl.len()) == 5).then(None).otherwise(pl.col("order")).alias("order"))
    with pytest.raises(ValueError, match=r"column 'order' \(order_id\), row 5: missing value"):
        pathwise.Model().fit(nulls, defaults=COHORT_COLUMNS)


def test_arrow_rows_without_a_skill_are_left_out_as_in_pandas(cohort):
    frame = cohort.copy()
    frame.loc[[3, 11, 40], "skill"] = None
    table = pa.Table.from_pandas(frame, preserve_index=False)
    from_arrow = pathwise.Model(seed=1).fit(table, defaults=COHORT_COLUMNS)
    assert from_arrow.fingerprint == pathwise.Model(seed=1).fit(frame, defaults=COHORT_COLUMNS).fingerprint
    out = from_arrow.predict(table, defaults=COHORT_COLUMNS).column("correct_predictions").to_numpy()
    assert np.isnan(out[[3, 11, 40]]).all() and not np.isnan(np.delete(out, [3, 11, 40])).any()
