"""pathwise.simulate: the CLI's numbers for the same seed, the log, and bad arguments."""

import json
import subprocess

import pandas as pd
import pytest

import pathwise
from conftest import CURRICULUM

GOAL = "geo.area_formulas"


@pytest.fixture(scope="module")
def graph():
    return pathwise.load_graph(CURRICULUM)


def cli_json(binary, *args):
    done = subprocess.run([str(binary), "simulate", *map(str, args), "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def test_every_policy_gives_the_cli_numbers_for_the_same_seed(graph, pathwise_cli):
    result = pathwise.simulate(graph, policies="all", learners=30, steps=40, runs=3, seed=1)
    expected = cli_json(pathwise_cli, "--graph", CURRICULUM, "--learners", 30, "--steps", 40, "--runs", 3, "--policy", "all", "--seed", 1)
    assert list(result.summary.index) == list(pathwise.POLICIES)
    for entry in expected["policies"]:
        row = result.summary.loc[entry["policy"]]
        assert row["mastered_mean"] == entry["mean_mastered"]
        assert row["mastered_std"] == entry["std_mastered"]
        assert row["steps_to_goals_mean"] == entry["mean_steps_to_goals"]
        assert row["reached_goals"] == entry["reached_goals"]
        assert row["learning_gain_mean"] == entry["learning_gain"]
        assert row["learning_gain_std"] == entry["std_learning_gain"]
        assert list(result.curves[entry["policy"]]) == entry["curve"]
        runs = result.runs.loc[entry["policy"]]
        assert runs.to_dict("records") == entry["per_run"]
    assert list(result.differences.index) == list(pathwise.POLICIES[1:])
    assert result.log is None


def test_a_fitted_model_and_goals_give_the_cli_numbers_and_log(graph, cohort_model, pathwise_cli, tmp_path):
    model_path = tmp_path / "model.json"
    cohort_model.save(model_path)
    log_path = tmp_path / "log.csv"
    args = ["--graph", CURRICULUM, "--model", model_path, "--learners", 5, "--steps", 30, "--runs", 2, "--seed", 2, "--goal", GOAL,
            "--policy", "random-ready", "--mastery", 0.9, "--streak", 2]
    expected = cli_json(pathwise_cli, *args)
    subprocess.run([str(pathwise_cli), "simulate", *map(str, args), "-o", str(log_path)], capture_output=True, check=True)
    result = pathwise.simulate(graph, cohort_model, policies=["random-ready"], learners=5, steps=30, runs=2, seed=2,
                               goals=[GOAL], mastery=0.9, streak=2, keep_log=True)
    assert result.summary.loc["random-ready", "learning_gain_mean"] == expected["policies"][0]["learning_gain"]
    assert list(result.curves["random-ready"]) == expected["policies"][0]["curve"]
    cli_log = pd.read_csv(log_path)
    pd.testing.assert_frame_equal(result.log.drop(columns="policy"), cli_log, check_dtype=False)
    assert set(result.log["policy"]) == {"random-ready"}


def test_same_seed_same_figures_and_one_run_has_no_spread(graph):
    calls = []
    first = pathwise.simulate(graph, policies=["pathwise", "random"], learners=10, steps=20, seed=5, progress=lambda d, t: calls.append((d, t)))
    again = pathwise.simulate(graph, policies=["pathwise", "random"], learners=10, steps=20, seed=5)
    pd.testing.assert_frame_equal(first.summary, again.summary)
    assert calls == [(1, 2), (2, 2)]
    assert (first.summary["mastered_std"] == 0).all()
    assert first.differences["mastered_se"].isna().all()
    assert len(first.curves) == 21


@pytest.mark.parametrize(
    "arguments, message",
    [
        ({"policies": "best"}, "unknown policy `best`"),
        ({"goals": ["nope"]}, "no skill 'nope'"),
        ({"learners": 0}, "at least 1"),
        ({"learners": 10**6, "steps": 10**6}, "limit"),
        ({"mastery": 1.5}, "mastery"),
        ({"blocked_factor": 2.0}, "factor"),
    ],
)
def test_bad_arguments_are_value_errors_naming_them(graph, arguments, message):
    with pytest.raises(ValueError, match=message):
        pathwise.simulate(graph, **arguments)


def test_a_model_that_is_not_one_is_a_type_error(graph):
    with pytest.raises(TypeError, match="pathwise.Model"):
        pathwise.simulate(graph, model="model.json")
