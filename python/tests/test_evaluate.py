"""Model.evaluate, crossvalidate and partial_fit."""

import numpy as np
import pandas as pd
import pytest

import pathwise
from conftest import COHORT_COLUMNS


def auc_by_ranks(y: np.ndarray, p: np.ndarray) -> float:
    """AUC as the Mann-Whitney U statistic, independent of the engine's implementation."""
    ranks = pd.Series(p).rank().to_numpy()
    n1 = y.sum()
    return (ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * (len(y) - n1))


def test_evaluate_metrics_match_the_predictions(cohort, cohort_model):
    out = cohort_model.predict(cohort, defaults=COHORT_COLUMNS)
    y, p = out["correct"].to_numpy(), out["correct_predictions"].to_numpy()
    rmse, auc, accuracy = cohort_model.evaluate(cohort, metric=["rmse", "auc", "accuracy"], defaults=COHORT_COLUMNS)
    assert rmse == pytest.approx(np.sqrt(np.mean((y - p) ** 2)))
    assert auc == pytest.approx(auc_by_ranks(y, p))
    assert accuracy == pytest.approx(np.mean((p >= 0.5) == (y == 1)))
    assert cohort_model.evaluate(cohort, defaults=COHORT_COLUMNS) == pytest.approx(rmse)


def test_evaluate_takes_a_callable_metric(cohort, cohort_model):
    def mean_absolute_error(y_true, y_pred):
        return float(np.mean(np.abs(y_true - y_pred)))

    out = cohort_model.predict(cohort, defaults=COHORT_COLUMNS)
    expected = np.mean(np.abs(out["correct"] - out["correct_predictions"]))
    assert cohort_model.evaluate(cohort, metric=mean_absolute_error, defaults=COHORT_COLUMNS) == pytest.approx(expected)


def test_evaluate_scores_only_the_models_skills(cohort):
    skill = cohort["skill"].iloc[0]
    model = pathwise.Model(seed=1).fit(cohort, skills=skill, defaults=COHORT_COLUMNS)
    whole = model.evaluate(cohort, metric="auc", defaults=COHORT_COLUMNS)
    only = model.evaluate(cohort[cohort.skill == skill], metric="auc", defaults=COHORT_COLUMNS)
    assert whole == pytest.approx(only)


def test_evaluate_bad_metric_and_no_rows(cohort, cohort_model):
    with pytest.raises(ValueError, match="unknown metric 'f1'"):
        cohort_model.evaluate(cohort, metric="f1", defaults=COHORT_COLUMNS)
    with pytest.raises(TypeError, match="a metric is a name or a callable"):
        cohort_model.evaluate(cohort, metric=3, defaults=COHORT_COLUMNS)
    other = cohort.assign(skill="nothing.known")
    with pytest.raises(ValueError, match="no rows of the model's skills in column 'skill'"):
        cohort_model.evaluate(other, defaults=COHORT_COLUMNS)


def test_crossvalidate_tests_every_learner_once_and_is_deterministic(cohort):
    model = pathwise.Model(seed=4, num_fits=2)
    fitted_before = model.is_fitted
    a = model.crossvalidate(cohort, folds=3, metric=["auc", "rmse"], defaults=COHORT_COLUMNS)
    assert model.is_fitted == fitted_before
    assert a.index.name == "skill"
    assert list(a.columns) == ["auc", "rmse"]
    assert set(a.index) == set(cohort["skill"])
    assert ((a["rmse"] > 0) & (a["rmse"] < 0.6)).all()
    pd.testing.assert_frame_equal(a, model.crossvalidate(cohort, folds=3, metric=["auc", "rmse"], defaults=COHORT_COLUMNS))
    other_seed = model.crossvalidate(cohort, folds=3, seed=99, metric=["auc", "rmse"], defaults=COHORT_COLUMNS)
    assert not np.allclose(other_seed["rmse"], a["rmse"])


def test_crossvalidate_with_a_fold_column_equals_fitting_on_the_other_fold(cohort):
    # Folds given by the class group: each group is predicted by a model fitted on the others.
    cv = pathwise.Model(seed=2, num_fits=2).crossvalidate(cohort, folds="group", metric="rmse", defaults=COHORT_COLUMNS)
    groups = sorted(cohort["group"].unique())
    predictions = []
    for g in groups:
        train, test = cohort[cohort.group != g], cohort[cohort.group == g]
        model = pathwise.Model(seed=2, num_fits=2).fit(train, defaults=COHORT_COLUMNS)
        predictions.append(model.predict(test, defaults=COHORT_COLUMNS))
    out = pd.concat(predictions)
    expected = out.groupby("skill").apply(lambda s: np.sqrt(np.mean((s.correct - s.correct_predictions) ** 2)))
    np.testing.assert_allclose(cv.loc[expected.index, "rmse"], expected.to_numpy())


def test_crossvalidate_bad_folds(cohort):
    model = pathwise.Model()
    with pytest.raises(ValueError, match="folds must be between 2 and the number of learners"):
        model.crossvalidate(cohort, folds=1, defaults=COHORT_COLUMNS)
    with pytest.raises(ValueError, match="folds must be between 2"):
        model.crossvalidate(cohort, folds=10_000, defaults=COHORT_COLUMNS)
    with pytest.raises(ValueError, match="no column 'fold'"):
        model.crossvalidate(cohort, folds="fold", defaults=COHORT_COLUMNS)
    with pytest.raises(TypeError, match="folds must be a number of folds or a column name"):
        model.crossvalidate(cohort, folds=2.5, defaults=COHORT_COLUMNS)
    one_group = cohort.assign(group="all")
    with pytest.raises(ValueError, match="holds every row"):
        model.crossvalidate(one_group, folds="group", defaults=COHORT_COLUMNS)


def test_partial_fit_continues_from_the_current_parameters(cohort):
    learners = cohort["learner"].unique()
    first, second = cohort[cohort.learner.isin(learners[::2])], cohort[cohort.learner.isin(learners[1::2])]
    skill = cohort["skill"].iloc[0]
    model = pathwise.Model(seed=3, num_fits=1, max_iter=1).partial_fit(first, defaults=COHORT_COLUMNS, forgets=True)
    assert model.variant[0] is True
    one_step = model.params()["value"].copy()
    model.partial_fit(second, defaults=COHORT_COLUMNS)
    assert model.variant[0] is True
    # One EM iteration from the warm start is not one iteration from the textbook start.
    cold = pathwise.Model(seed=3, num_fits=1, max_iter=1).fit(second, defaults=COHORT_COLUMNS, forgets=True)
    assert not np.allclose(model.params().loc[cold.params().index, "value"], cold.params()["value"])
    assert not np.allclose(model.params().loc[one_step.index, "value"], one_step)
    # Skills absent from the new data keep their parameters.
    only = model.params().loc[skill].copy()
    rest = cohort[cohort.skill != skill]
    model.partial_fit(rest, defaults=COHORT_COLUMNS)
    pd.testing.assert_frame_equal(model.params().loc[skill], only)
    assert skill in model.skills
    with pytest.raises(ValueError, match="partial_fit keeps the fitted variant"):
        model.partial_fit(second, defaults=COHORT_COLUMNS, multiprior=True)


def test_crossvalidate_reports_each_fold_and_an_exception_in_progress_stops_it(cohort):
    model = pathwise.Model(seed=0, num_fits=1)
    calls = []
    model.crossvalidate(cohort, folds=3, defaults=COHORT_COLUMNS, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(1, 3), (2, 3), (3, 3)]

    def stop(done, total):
        raise KeyboardInterrupt("stop")

    with pytest.raises(KeyboardInterrupt, match="stop"):
        model.crossvalidate(cohort, folds=3, defaults=COHORT_COLUMNS, progress=stop)
    assert not model.is_fitted
