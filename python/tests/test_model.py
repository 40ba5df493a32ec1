"""Model: fit from DataFrames, predict, params, JSON and files."""

import numpy as np
import pandas as pd
import pytest

import pathwise
from conftest import ASSISTMENTS, KDD_PARTS


def small_frame() -> pd.DataFrame:
    """Three learners on two skills, rows deliberately out of time order."""
    rows = []
    for learner, answers in {"ann": [0, 1, 1, 1, 1], "bob": [0, 0, 1, 1, 1], "cy": [1, 1, 1, 0, 1]}.items():
        for t, c in enumerate(answers):
            rows.append({"user_id": learner, "skill_name": "add", "correct": c, "order_id": 100 - t})
            rows.append({"user_id": learner, "skill_name": "sub", "correct": 1 - c if t == 0 else c, "order_id": 200 + t})
    return pd.DataFrame(rows).sample(frac=1.0, random_state=3).reset_index(drop=True)


def test_fit_small_frame_gives_every_skill_probabilities():
    model = pathwise.Model(seed=2, num_fits=3).fit(small_frame())
    assert model.skills == ["add", "sub"]
    params = model.params()
    assert list(params.index.names) == ["skill", "param", "class"]
    for skill in ("add", "sub"):
        for param in ("prior", "learns", "guesses", "slips", "forgets"):
            value = params.loc[(skill, param, "default"), "value"]
            assert 0.0 <= value <= 1.0
        assert params.loc[(skill, "guesses", "default"), "value"] < 0.5
    assert params.loc[("add", "forgets", "default"), "value"] == 0.0


def test_fit_does_not_modify_the_callers_frame():
    frame = small_frame()
    before = frame.copy()
    model = pathwise.Model().fit(frame, skills=["add"])
    pd.testing.assert_frame_equal(frame, before)
    assert model.skills == ["add"]


def test_skill_names_are_exact_not_regular_expressions():
    frame = small_frame()
    frame.loc[frame.skill_name == "sub", "skill_name"] = "a.d"
    model = pathwise.Model().fit(frame, skills="a.d")
    assert model.skills == ["a.d"]
    with pytest.raises(ValueError, match="no rows for skill"):
        pathwise.Model().fit(frame, skills=["ad+"])


def test_same_seed_same_model_and_row_order_does_not_matter():
    frame = small_frame()
    a = pathwise.Model(seed=5).fit(frame)
    assert pathwise.Model(seed=5).fit(frame).fingerprint == a.fingerprint
    # Rows in another order change only the summation order of EM's counts.
    b = pathwise.Model(seed=5).fit(frame.iloc[::-1].reset_index(drop=True))
    np.testing.assert_allclose(b.params()["value"], a.params()["value"], atol=1e-6)


def test_predict_adds_pybkt_columns_in_row_order():
    frame = small_frame()
    model = pathwise.Model(seed=2).fit(frame)
    out = model.predict(frame)
    assert list(out.columns) == list(frame.columns) + ["correct_predictions", "state_predictions"]
    assert "correct_predictions" not in frame.columns
    assert out[["correct_predictions", "state_predictions"]].apply(lambda c: c.between(0, 1).all()).all()
    # Each learner's first response on a skill is predicted from the prior: state = prior there.
    prior = model.params().loc[("add", "prior", "default"), "value"]
    first = out[out.skill_name == "add"].sort_values("order_id").groupby("user_id").head(1)
    np.testing.assert_allclose(first.state_predictions, prior)
    # Row order of the input is kept: predicting a shuffled frame gives the same numbers per row.
    shuffled = frame.sample(frac=1.0, random_state=9)
    again = model.predict(shuffled)
    np.testing.assert_array_equal(again.loc[frame.index, "correct_predictions"], out["correct_predictions"])


def test_variants_and_item_columns():
    frame = small_frame()
    frame["template_id"] = np.where(frame.order_id % 2 == 0, "even", "odd")
    model = pathwise.Model(seed=1).fit(frame, forgets=True, multigs=True)
    assert model.variant == (True, True, False, False)
    params = model.params()
    assert ("add", "guesses", "even") in params.index
    assert model.predict(frame)["correct_predictions"].notna().all()
    with pytest.raises(ValueError, match="one item column"):
        pathwise.Model().fit(frame, multigs="template_id", multilearn="other")


def test_fixed_parameters_are_held():
    model = pathwise.Model().fit(small_frame(), fixed={"add": {"guesses": 0.25}, "*": {"slip": 0.1}})
    params = model.params()
    assert params.loc[("add", "guesses", "default"), "value"] == 0.25
    assert params.loc[("sub", "slips", "default"), "value"] == 0.1


def test_bad_input_is_one_clear_error():
    frame = small_frame()
    with pytest.raises(ValueError, match="no column 'user_id'"):
        pathwise.Model().fit(frame.drop(columns="user_id"))
    bad = frame.copy()
    bad.loc[3, "correct"] = 2
    with pytest.raises(ValueError, match=r"column 'correct' \(correct\), row 3: 2 is not 0 or 1"):
        pathwise.Model().fit(bad)
    missing = frame.copy()
    missing.loc[4, "user_id"] = None
    with pytest.raises(ValueError, match=r"column 'user_id' \(user_id\), row 4: missing value"):
        pathwise.Model().fit(missing)
    with pytest.raises(ValueError, match=r"no column 'correct' or 'Correct First Attempt' \(correct\)"):
        pathwise.Model().fit(frame.drop(columns="correct"))
    with pytest.raises(ValueError, match="restarts must be at least 1"):
        pathwise.Model(num_fits=0)
    with pytest.raises(ValueError, match="not fitted"):
        pathwise.Model().predict(frame)
    with pytest.raises(ValueError, match="exactly one of data"):
        pathwise.Model().fit()


def test_rows_without_a_skill_are_left_out_and_predicted_as_nan():
    frame = small_frame()
    frame["skill_name"] = frame["skill_name"].astype(object)
    frame.loc[[2, 5], "skill_name"] = np.nan
    model = pathwise.Model(seed=2).fit(frame)
    assert model.skills == ["add", "sub"]
    assert model.fingerprint == pathwise.Model(seed=2).fit(frame.drop(index=[2, 5])).fingerprint
    out = model.predict(frame)
    assert out.loc[[2, 5], "correct_predictions"].isna().all()
    assert out["correct_predictions"].drop(index=[2, 5]).notna().all()
    assert model.evaluate(frame, metric="auc") == model.evaluate(frame.drop(index=[2, 5]), metric="auc")


def test_assistments_scaffolding_rows_are_left_out_as_pybkt_does():
    frame = small_frame()
    frame["original"] = 1
    scaffolds = frame.assign(original=0, correct=1 - frame["correct"], order_id=frame["order_id"] + 1)
    both = pd.concat([frame, scaffolds], ignore_index=True)
    model = pathwise.Model(seed=2).fit(both)
    assert model.fingerprint == pathwise.Model(seed=2).fit(frame).fingerprint
    assert model.predict(both)["correct_predictions"].iloc[len(frame) :].isna().all()


def kdd_names(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` under the Cognitive Tutor / KDD Cup 2010 names pyBKT also reads."""
    return frame.rename(
        columns={"user_id": "Anon Student Id", "skill_name": "KC(Default)", "correct": "Correct First Attempt", "order_id": "Row"}
    )


def test_pybkts_cognitive_tutor_column_names_are_read_without_defaults():
    frame = small_frame()
    frame["template_id"] = np.where(frame.order_id % 2 == 0, "even", "odd")
    expected = pathwise.Model(seed=3).fit(frame, multigs=True)
    kdd = kdd_names(frame).rename(columns={"template_id": "Problem Name"})
    model = pathwise.Model(seed=3).fit(kdd, multigs=True)
    assert model.fingerprint == expected.fingerprint
    np.testing.assert_array_equal(model.predict(kdd)["correct_predictions"], expected.predict(frame)["correct_predictions"])
    # A name given in defaults wins over both layouts.
    assert pathwise.Model(seed=3).fit(kdd.rename(columns={"Row": "t"}), defaults={"order_id": "t"}).fingerprint == (
        pathwise.Model(seed=3).fit(frame).fingerprint
    )


def test_tab_separated_latin_1_file_with_kdd_names(tmp_path):
    frame = kdd_names(small_frame())
    frame["KC(Default)"] = frame["KC(Default)"].map({"add": "Addition é", "sub": "sub"})
    path = tmp_path / "ct.csv"
    path.write_bytes(frame.to_csv(sep="\t", index=False).encode("latin-1"))
    model = pathwise.Model(seed=3).fit(data_path=path)
    assert model.skills == ["Addition é", "sub"]
    assert model.fingerprint == pathwise.Model(seed=3).fit(frame).fingerprint


def test_pybkts_cognitive_tutor_sample_fits_with_pybkts_calls(kdd_ct):
    # pyBKT's docstring example on ct.csv: the columns are found by their KDD Cup names.
    model = pathwise.Model(seed=42, num_fits=1)
    model.fit(data_path=str(kdd_ct), skills="Calculate unit rate")
    assert model.skills == ["Calculate unit rate"]
    frame = pd.concat([pd.read_csv(p, sep="\t") for p in KDD_PARTS], ignore_index=True)
    assert len(pd.read_csv(kdd_ct, sep="\t")) == len(frame) == 18_220
    named = {"user_id": "Anon Student Id", "skill_name": "KC(Default)", "correct": "Correct First Attempt", "order_id": "Row"}
    every = pathwise.Model(seed=42, num_fits=1).fit(data_path=str(kdd_ct))
    assert every.fingerprint == pathwise.Model(seed=42, num_fits=1).fit(frame, defaults=named).fingerprint
    # 3,519 step rows have no KC: left out, not fitted as a skill named "nan" as pyBKT does.
    assert "nan" not in every.skills and len(every.skills) == frame["KC(Default)"].nunique()
    out = every.predict(frame)
    assert out["correct_predictions"].isna().sum() == frame["KC(Default)"].isna().sum() == 3_519
    assert every.evaluate(data_path=str(kdd_ct), metric="auc") > 0.7
    per_problem = pathwise.Model(seed=42, num_fits=1).fit(data_path=str(kdd_ct), skills="Calculate unit rate", multigs=True)
    assert ("Calculate unit rate", "guesses", frame["Problem Name"][frame["KC(Default)"] == "Calculate unit rate"].iloc[0]) in (
        per_problem.params().index
    )


def test_json_and_file_round_trip(tmp_path):
    model = pathwise.Model(seed=3).fit(small_frame())
    again = pathwise.Model.from_json(model.to_json())
    assert isinstance(again, pathwise.Model)
    assert again.fingerprint == model.fingerprint
    path = tmp_path / "model.json"
    model.save(path)
    loaded = pathwise.Model().load(path)
    pd.testing.assert_frame_equal(loaded.params(), model.params())
    pd.testing.assert_frame_equal(loaded.predict(small_frame()), model.predict(small_frame()))
    with pytest.raises(ValueError, match="model"):
        pathwise.Model.from_json('{"format": "something else"}')


def test_fit_from_a_csv_path(tmp_path):
    path = tmp_path / "log.csv"
    small_frame().to_csv(path, index=False)
    assert pathwise.Model(seed=3).fit(data_path=path).fingerprint == pathwise.Model(seed=3).fit(small_frame()).fingerprint


def test_assistments_subset_fits_and_predicts_better_than_chance(assistments):
    model = pathwise.Model(seed=42).fit(assistments, skills=["Box and Whisker", "Table"])
    assert model.skills == ["Box and Whisker", "Table"]
    out = model.predict(assistments[assistments.skill_name.isin(model.skills)])
    y, p = out["correct"].to_numpy(), out["correct_predictions"].to_numpy()
    # AUC by ranks (Mann-Whitney U).
    ranks = pd.Series(p).rank().to_numpy()
    n1 = y.sum()
    auc = (ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * (len(y) - n1))
    assert auc > 0.6


def test_maximum_likelihood_settings():
    frame = small_frame()
    regularised = pathwise.Model(seed=1).fit(frame).params()["value"]
    ml = pathwise.Model(seed=1, pseudo_counts=0, bounds="none").fit(frame).params()["value"]
    assert not np.allclose(ml, regularised)
    with pytest.raises(ValueError, match="pseudo_counts must be a finite number at least 0, got -1"):
        pathwise.Model(pseudo_counts=-1)
    with pytest.raises(ValueError, match="pseudo_counts must be a finite number at least 0, got NaN"):
        pathwise.Model(pseudo_counts=float("nan"))
    with pytest.raises(ValueError, match="--bounds 'wide': expected PARAM=MAX or PARAM=MIN:MAX, 'default' or 'none'"):
        pathwise.Model(bounds="wide")


def test_unbounded_alone_is_maximum_likelihood_as_pathwise_fit():
    frame = small_frame()
    alone = pathwise.Model(seed=1, bounds="none").fit(frame).params()
    explicit = pathwise.Model(seed=1, bounds="none", pseudo_counts=0).fit(frame).params()
    default = pathwise.Model(seed=1).fit(frame).params()
    five = pathwise.Model(seed=1, pseudo_counts=5).fit(frame).params()
    pd.testing.assert_frame_equal(alone, explicit)
    pd.testing.assert_frame_equal(default, five)


def test_per_parameter_bounds_hold_the_fit_within_them():
    frame = small_frame()
    params = pathwise.Model(seed=1, bounds="guess=0.05,slip=0.02:0.04").fit(frame).params()["value"]
    assert (params.xs("guesses", level="param") <= 0.05 + 1e-12).all()
    slips = params.xs("slips", level="param")
    assert ((slips >= 0.02 - 1e-12) & (slips <= 0.04 + 1e-12)).all()
    with pytest.raises(ValueError, match="PARAM must be prior, learn, forget, guess or slip"):
        pathwise.Model(bounds="luck=0.3")


#: pyBKT 1.4.3 (C++ build) on its README quick-start calls on as.csv, measured by
#: benches/python/compare_api.py (benches/README.md explains the gaps): Model kwargs, fit kwargs,
#: pyBKT's training AUC, the log-likelihood of its model on the fitted rows, and for the models
#: whose E-step pyBKT computes correctly, its AUC with EM run to convergence (1000 iterations;
#: pyBKT's own test stops EM early because its E-step returns the log-likelihood as an integer).
PYBKT_QUICKSTART = [
    ({"seed": 42, "num_fits": 1}, {}, 0.64555, -5756.42, 0.64036),
    ({"seed": 42, "num_fits": 1}, {"skills": "Box and Whisker", "forgets": True}, 0.65443, -2090.22, 0.65800),
    ({"seed": 42, "num_fits": 1}, {"skills": "Box and Whisker", "multilearn": True}, 0.64126, -2095.76, None),
    ({"seed": 42, "num_fits": 1}, {"skills": ["Box and Whisker", "Table"], "multigs": True}, 0.69024, -5578.39, None),
    ({"seed": 42, "num_fits": 5}, {}, 0.64566, -5755.20, 0.64036),
]


def log_likelihood(model: pathwise.Model, path: str) -> float:
    """The log-likelihood of the rows of the model's skills in ``path``."""
    frame = pd.read_csv(path, low_memory=False)
    rows = int(frame["skill_name"].isin(model.skills).sum())
    return -model.evaluate(data_path=path, metric="log_loss") * rows


@pytest.mark.parametrize("init, fit, pybkt_auc, pybkt_loglik, converged_auc", PYBKT_QUICKSTART)
def test_pybkt_quickstart_runs_unchanged_and_fits_at_least_as_well(assistments, init, fit, pybkt_auc, pybkt_loglik, converged_auc):
    model = pathwise.Model(**init)
    model.fit(data_path=str(ASSISTMENTS), **fit)
    auc = model.evaluate(data_path=str(ASSISTMENTS), metric="auc")
    # A higher likelihood than pyBKT's fit in every case, regularised as it is.
    assert log_likelihood(model, str(ASSISTMENTS)) > pybkt_loglik
    # The AUC is within 0.002 of pyBKT's or above it, except in the two all-skill fits, where
    # pyBKT's EM stops early (measured gaps -0.0028 and -0.0037; against pyBKT run to
    # convergence see the next test).
    assert auc >= pybkt_auc - (0.004 if converged_auc is not None and "skills" not in fit else 0.002)


@pytest.mark.parametrize("init, fit, pybkt_auc, pybkt_loglik, converged_auc", [c for c in PYBKT_QUICKSTART if c[4] is not None])
def test_with_pybkts_objective_the_auc_is_within_0_002_of_pybkt_run_to_convergence(assistments, init, fit, pybkt_auc, pybkt_loglik, converged_auc):
    model = pathwise.Model(**init, pseudo_counts=0, bounds="none")
    model.fit(data_path=str(ASSISTMENTS), **fit)
    assert abs(model.evaluate(data_path=str(ASSISTMENTS), metric="auc") - converged_auc) <= 0.002


def test_progress_is_called_per_skill_and_an_exception_stops_the_fit(cohort):
    from conftest import COHORT_COLUMNS

    calls = []
    model = pathwise.Model(seed=1).fit(cohort, defaults=COHORT_COLUMNS, progress=lambda done, total: calls.append((done, total)))
    total = len(model.skills)
    assert calls[-1] == (total, total)
    # Strictly increasing counts, however many threads finish skills.
    assert [done for done, _ in calls] == sorted(set(done for done, _ in calls))
    assert all(t == total for _, t in calls)

    class Stop(Exception):
        pass

    def stop(done, total):
        raise Stop(f"stopped at {done} of {total}")

    before = model.fingerprint
    with pytest.raises(Stop, match=r"stopped at \d+ of"):
        model.fit(cohort, defaults=COHORT_COLUMNS, forgets=True, progress=stop)
    assert model.fingerprint == before
