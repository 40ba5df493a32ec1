"""pathwise.spark on local Spark (local[2]): the Spark fit equals the single-machine fit, predict
and recommend per learner equal the single-machine replay, and bad input is a ValueError naming
the column. One SparkSession for the whole module (a JVM start costs seconds). Skipped only when
pyspark is not installed."""

import os
import sys

import numpy as np
import pandas as pd
import pytest

import pathwise
from conftest import COHORT_COLUMNS, CURRICULUM

pytest.importorskip("pyspark")

import pathwise.spark  # noqa: E402  (needs pyspark only when called, but tested with it)



@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    # Executors run this interpreter, so they import the pathwise under test.
    os.environ["PYSPARK_PYTHON"] = sys.executable
    session = (
        SparkSession.builder.master("local[2]")
        .appName("pathwise-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def cohort_df(spark, cohort):
    # In the rows' order, in two partitions (local[2]'s default parallelism), so that a skill's
    # rows come from both.
    return spark.createDataFrame(cohort).cache()


def assert_same_params(spark_model: pathwise.Model, local: pathwise.Model) -> None:
    a, b = spark_model.params(), local.params()
    assert list(a.index) == list(b.index)
    np.testing.assert_allclose(a["value"].to_numpy(), b["value"].to_numpy(), rtol=0, atol=1e-9)


def test_spark_fit_equals_the_single_machine_fit(cohort_df, cohort):
    for variant in ({"forgets": True}, {"multigs": True}):
        fitted = pathwise.spark.fit(cohort_df, seed=3, num_fits=3, defaults=COHORT_COLUMNS, **variant)
        local = pathwise.Model(seed=3, num_fits=3).fit(data=cohort, defaults=COHORT_COLUMNS, **variant)
        assert_same_params(fitted, local)
        # The parameters agree bit for bit, so a learner state moves between the two models.
        assert fitted.fingerprint == local.fingerprint
        assert fitted.variant == local.variant


def test_spark_fit_takes_the_pseudo_count_default_of_model(cohort_df, cohort):
    # bounds="none" alone is plain maximum likelihood (no pseudo-counts) for Model; Spark's fit
    # must choose the same default, not a fixed 5.
    fitted = pathwise.spark.fit(cohort_df, seed=3, num_fits=2, bounds="none", defaults=COHORT_COLUMNS)
    local = pathwise.Model(seed=3, num_fits=2, bounds="none").fit(data=cohort, defaults=COHORT_COLUMNS)
    assert fitted.fingerprint == local.fingerprint


def test_spark_fit_of_chosen_skills_on_assistments(spark, assistments):
    skills = ["Box and Whisker", "Table"]
    df = spark.createDataFrame(assistments[["user_id", "skill_name", "correct", "order_id"]])
    fitted = pathwise.spark.fit(df, skills=skills, seed=42, forgets=True)
    local = pathwise.Model(seed=42).fit(data=assistments, skills=skills, forgets=True)
    assert fitted.skills == sorted(skills)
    assert_same_params(fitted, local)


def test_spark_fit_keeps_row_order_for_ties_in_the_order_column(spark):
    # Every response of a learner at the same time: only row order orders them.
    rows = [("a", "s", c, 1) for c in (0, 0, 1, 1, 1)] + [("b", "s", c, 1) for c in (1, 0, 0, 1, 1)]
    rows += [("c", "s", c, t) for t, c in enumerate((0, 1, 0, 1, 1))]
    data = pd.DataFrame(rows, columns=["user_id", "skill_name", "correct", "order_id"])
    fitted = pathwise.spark.fit(spark.createDataFrame(data), num_fits=2)
    assert_same_params(fitted, pathwise.Model(num_fits=2).fit(data=data))


def test_spark_predict_equals_model_predict(cohort_df, cohort, cohort_model):
    got = pathwise.spark.predict(cohort_df, cohort_model, defaults=COHORT_COLUMNS).toPandas()
    want = cohort_model.predict(data=cohort, defaults=COHORT_COLUMNS)
    key = ["learner", "order", "skill", "item"]
    got, want = (f.sort_values(key, kind="stable").reset_index(drop=True) for f in (got, want))
    assert list(got.columns) == list(want.columns)
    for column in ("correct_predictions", "state_predictions"):
        np.testing.assert_allclose(got[column], want[column], rtol=0, atol=1e-12)


def test_spark_recommend_equals_a_replayed_learner_state(cohort_df, cohort, cohort_model):
    got = pathwise.spark.recommend(cohort_df, CURRICULUM, cohort_model, k=3, defaults=COHORT_COLUMNS).toPandas()
    assert got["learner"].nunique() == cohort["learner"].nunique()
    graph = pathwise.load_graph(CURRICULUM)
    ranker = pathwise.Recommender(graph, cohort_model)
    for learner in sorted(cohort["learner"].unique())[:3]:
        state = pathwise.LearnerState(cohort_model)
        for row in cohort[cohort["learner"] == learner].sort_values("order", kind="stable").itertuples():
            state.observe(row.skill, bool(row.correct), row.item)
        want = ranker.recommend(state, 3)
        mine = got[got["learner"] == learner].sort_values("rank")
        assert list(mine["activity"]) == [p["activity"] for p in want]
        assert list(mine["reason"]) == [p["reason"] for p in want]
        np.testing.assert_allclose(mine["score"], [p["score"] for p in want], rtol=0, atol=1e-12)


def test_spark_missing_column_is_a_value_error_naming_it(cohort_df, cohort_model):
    without = cohort_df.drop("correct")
    with pytest.raises(ValueError, match="no column 'correct' \\(correct\\)"):
        pathwise.spark.fit(without, defaults=COHORT_COLUMNS)
    with pytest.raises(ValueError, match="no column 'correct' \\(correct\\)"):
        pathwise.spark.predict(without, cohort_model, defaults=COHORT_COLUMNS)
    with pytest.raises(ValueError, match="no column 'learner' \\(user_id\\)"):
        pathwise.spark.recommend(cohort_df.drop("learner"), CURRICULUM, cohort_model, defaults=COHORT_COLUMNS)


def test_spark_bad_correct_value_is_a_value_error_naming_skill_and_column(spark):
    data = pd.DataFrame({"user_id": ["a", "a", "b"], "skill_name": ["s", "s", "s"], "correct": [1, 3, 0]})
    with pytest.raises(ValueError, match="skill 's': column 'correct' \\(correct\\), row 1: 3 is not 0 or 1"):
        pathwise.spark.fit(spark.createDataFrame(data), num_fits=1)


def test_spark_fit_refuses_multiprior_and_a_skill_without_rows(cohort_df):
    with pytest.raises(ValueError, match="multiprior"):
        pathwise.spark.fit(cohort_df, multiprior=True, defaults=COHORT_COLUMNS)
    with pytest.raises(ValueError, match="no rows for skill\\(s\\) \\['no.such'\\]"):
        pathwise.spark.fit(cohort_df, skills=["ns.count_100", "no.such"], num_fits=1, defaults=COHORT_COLUMNS)


def test_spark_fit_leaves_out_rows_without_a_skill_and_scaffolding_as_one_machine_does(spark):
    rows = [(l, s, (l + t + k) % 3 != 0, t, int(t != 2)) for l in range(6) for k, s in enumerate(("x", "y")) for t in range(5)]
    data = pd.DataFrame(rows, columns=["user_id", "skill_name", "correct", "order_id", "original"])
    data.loc[[3, 17], "skill_name"] = None
    fitted = pathwise.spark.fit(spark.createDataFrame(data), num_fits=2)
    local = pathwise.Model(num_fits=2).fit(data=data)
    assert fitted.skills == ["x", "y"]
    assert fitted.fingerprint == local.fingerprint


def test_spark_large_skill_fitted_over_partitions_equals_the_one_machine_fit(cohort_df, cohort):
    # max_iter bounds the Spark jobs (one per EM round); both fits stop at the same point.
    settings = dict(seed=2, num_fits=2, max_iter=8)
    skill = "ns.count_100"
    one = pathwise.spark.fit_large_skill(cohort_df, skill, partitions=3, forgets=True, defaults=COHORT_COLUMNS, **settings)
    local = pathwise.Model(**settings).fit(data=cohort, skills=[skill], forgets=True, defaults=COHORT_COLUMNS)
    assert one.skills == [skill]
    assert_same_params(one, local)
    # Within fit: the large skill over partitions, the others one task each, one model.
    skills = [skill, "as.add_20"]
    both = pathwise.spark.fit(cohort_df, skills=skills, large_skills=[skill], forgets=True, defaults=COHORT_COLUMNS, **settings)
    assert_same_params(both, pathwise.Model(**settings).fit(data=cohort, skills=skills, forgets=True, defaults=COHORT_COLUMNS))


def test_spark_large_skill_refuses_per_item_variants_and_a_skill_without_rows(cohort_df):
    with pytest.raises(ValueError, match="one parameter set per skill"):
        pathwise.spark.fit(cohort_df, large_skills=["ns.count_100"], multigs=True, defaults=COHORT_COLUMNS)
    with pytest.raises(ValueError, match="no rows for skill 'no.such' in column 'skill'"):
        pathwise.spark.fit_large_skill(cohort_df, "no.such", num_fits=1, defaults=COHORT_COLUMNS)
