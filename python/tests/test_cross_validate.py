"""pathwise.read_log and pathwise.cross_validate: the numbers of `pathwise eval`, from files and
from tables, and bad arguments."""

import json
import math
import subprocess

import pandas as pd
import pytest

import pathwise
from conftest import COHORT, COHORT_COLUMNS

MODELS = ["majority", "skill-mean", "afm", "pfa", "bkt"]


def cli_eval(binary, *args):
    done = subprocess.run([str(binary), "eval", *map(str, args), "--format", "json"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def same(a, b):
    return (a is None and math.isnan(b)) or a == b


def test_files_give_the_cli_numbers_for_the_same_seed(pathwise_cli):
    frame = pathwise.cross_validate(data_path=COHORT, models=MODELS, folds=4, seed=3)
    expected = cli_eval(pathwise_cli, COHORT, "--models", ",".join(MODELS), "--folds", 4, "--seed", 3)
    assert list(frame.index) == MODELS
    for entry in expected["models"]:
        row = frame.loc[entry["model"]]
        assert row["n"] == entry["n"]
        for metric in ("auc", "rmse", "accuracy", "log_loss"):
            assert same(entry[metric], row[metric]), (entry["model"], metric)
            assert same(entry[f"{metric}_mean"], row[f"{metric}_mean"])
            assert same(entry[f"{metric}_std"], row[f"{metric}_std"])


def test_a_table_gives_the_numbers_of_its_file_and_per_skill_rows(cohort, tmp_path):
    # Without the item column: the file reader merges consecutive rows of one learner on one
    # item into a multi-skill response, a table holds one response per row.
    assert pathwise.read_log(COHORT).n_responses < len(cohort)
    single = cohort.drop(columns=["item", "group"])
    path = tmp_path / "single.csv"
    single.to_csv(path, index=False)
    from_file = pathwise.cross_validate(data_path=path, models=["skill-mean", "bkt"], seed=1, per_skill=True)
    from_table = pathwise.cross_validate(single, models=["skill-mean", "bkt"], seed=1, per_skill=True, defaults=COHORT_COLUMNS)
    pd.testing.assert_frame_equal(from_file, from_table)
    assert from_table.loc[("bkt", "(all)"), "n"] == len(single)
    skills = from_table.loc["bkt"].drop(index="(all)")
    assert skills["n"].sum() == len(single)
    assert skills["auc_mean"].isna().all()


def test_a_time_split_and_a_log_object(cohort):
    log = pathwise.read_log(COHORT)
    assert len(log.learners) == cohort["learner"].nunique()
    assert sorted(log.skills) == sorted(cohort["skill"].unique())
    calls = []
    frame = pathwise.cross_validate(log, models="bkt", split="time", test_fraction=0.3, progress=lambda d, t: calls.append((d, t)))
    assert frame.index.tolist() == ["bkt"]
    assert 0.5 < frame.loc["bkt", "auc"] < 1
    assert calls and calls[-1][0] == calls[-1][1]


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({"models": ["bkt-magic"]}, ValueError, "bkt-magic"),
        ({"split": "random"}, ValueError, "split must be"),
        ({"folds": 1}, ValueError, "fold"),
        ({"split": "time", "test_fraction": 1.5}, ValueError, "fraction"),
    ],
)
def test_bad_arguments_are_errors_naming_them(arguments, error, message):
    with pytest.raises(error, match=message):
        pathwise.cross_validate(data_path=COHORT, **arguments)


def test_a_missing_file_is_an_error_naming_it(tmp_path):
    with pytest.raises(ValueError, match="nope.csv: cannot open the file"):
        pathwise.read_log(tmp_path / "nope.csv")


def test_a_bad_cell_names_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("learner,skill,item,correct,order\na,s,i,maybe,1\n")
    with pytest.raises(ValueError, match="bad.csv:2"):
        pathwise.read_log(bad)


def test_neither_or_both_inputs_is_an_error(cohort):
    with pytest.raises(ValueError, match="either data"):
        pathwise.cross_validate()
    with pytest.raises(ValueError, match="split_column"):
        pathwise.cross_validate(cohort, split_column="fold", defaults=COHORT_COLUMNS)


def test_read_log_takes_the_cli_s_reading_options(tmp_path):
    path = tmp_path / "custom.csv"
    path.write_text("who;what;ok;when\nann;add;1;1\nann;add;0;2\nbob;sub;1;1\n")
    log = pathwise.read_log(path, preset="generic", columns={"learner": "who", "skill": "what", "correct": "ok", "order": "when"}, delimiter=";")
    assert (log.n_responses, sorted(log.learners), sorted(log.skills)) == (3, ["ann", "bob"], ["add", "sub"])
    with pytest.raises(ValueError, match="preset"):
        pathwise.read_log(path, preset="moodle")
    with pytest.raises(ValueError, match="tutor"):
        pathwise.read_log(path, columns={"tutor": "who"})
