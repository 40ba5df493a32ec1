"""pathwise.report: the folder `pathwise report` writes, byte for byte, and the folder rule."""

import subprocess
from pathlib import Path

import pytest

import pathwise
from conftest import COHORT, COHORT_COLUMNS, CURRICULUM


def files(folder: Path):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def model_file(cohort_model, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "model.json"
    cohort_model.save(path)
    return path


@pytest.mark.parametrize("extra, kwargs", [([], {}), (["--group-by", "group", "--format", "json"], {"group_by": "group", "format": "json"})])
def test_the_folder_is_the_cli_s_byte_for_byte(model_file, pathwise_cli, tmp_path, extra, kwargs):
    cli_dir, py_dir = tmp_path / "cli", tmp_path / "py"
    subprocess.run([str(pathwise_cli), "report", "--model", str(model_file), "--graph", str(CURRICULUM), str(COHORT), "-o", str(cli_dir), *extra],
                   capture_output=True, check=True)
    written = pathwise.report(CURRICULUM, model_file, py_dir, data_path=COHORT, **kwargs)
    assert written == sorted(p for p in py_dir.rglob("*") if p.is_file())
    assert files(py_dir) == files(cli_dir)
    assert (py_dir / "index.html").is_file()


def test_objects_and_a_table_write_a_report_and_an_earlier_one_is_replaced(cohort, cohort_model, tmp_path):
    graph = pathwise.load_graph(CURRICULUM)
    out = tmp_path / "report"
    first = pathwise.report(graph, cohort_model, out, data=cohort, defaults=COHORT_COLUMNS, learners=["7A-01", "7A-02"])
    assert out / "learners.csv" in first
    assert (out / "learners.csv").read_text().count("\n") == 3  # header and two learners
    again = pathwise.report(graph, cohort_model, out, data=cohort, defaults=COHORT_COLUMNS, format="json")
    assert out / "learners.json" in again and not (out / "learners.csv").exists()


def test_a_folder_it_did_not_write_is_refused_and_left_alone(cohort, cohort_model, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(ValueError, match="did not write"):
        pathwise.report(CURRICULUM, cohort_model, out, data=cohort, defaults=COHORT_COLUMNS)
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_an_error_during_the_work_leaves_nothing_behind(cohort, cohort_model, tmp_path):
    out = tmp_path / "report"
    with pytest.raises(ValueError, match="learners: 'nobody' is not in the log"):
        pathwise.report(CURRICULUM, cohort_model, out, data=cohort, defaults=COHORT_COLUMNS, learners=["nobody"])
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"format": "xml"}, "format must be"),
        ({"mastery": 2.0}, "threshold"),
        ({"group_by": "group"}, "group_by= reads the group column"),
    ],
)
def test_bad_arguments_are_value_errors(cohort, cohort_model, tmp_path, kwargs, message):
    with pytest.raises(ValueError, match=message):
        pathwise.report(CURRICULUM, cohort_model, tmp_path / "r", data=cohort, defaults=COHORT_COLUMNS, **kwargs)
    assert list(tmp_path.iterdir()) == []
