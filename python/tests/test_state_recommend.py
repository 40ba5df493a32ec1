"""LearnerState (observe, mastery, status, JSON round trip, refit mapping) and the recommender on
the demo curriculum."""

import json

import pytest

import pathwise
from conftest import COHORT_COLUMNS, CURRICULUM


def test_observe_moves_mastery_and_status(cohort_model):
    state = pathwise.LearnerState(cohort_model)
    skill = "ns.count_100"
    assert state.status(skill) == "not_assessed"
    prior = state.mastery(skill)
    step = state.observe(skill, True)
    assert step["p_known_before"] == pytest.approx(prior)
    assert step["p_known_after"] > prior
    assert state.mastery(skill) == pytest.approx(step["p_known_after"])
    assert state.status(skill) == "learning"
    for _ in range(10):
        state.observe(skill, True)
    assert state.status(skill) == "mastered"
    assert state.responses == 11


def test_state_round_trip_under_the_same_model(cohort_model):
    state = pathwise.LearnerState(cohort_model)
    state.observe("ns.count_100", True)
    state.observe("as.add_20", False)
    text = state.to_json()
    assert json.loads(text)["model"] == cohort_model.fingerprint
    again, changes = pathwise.LearnerState.from_json(text, cohort_model)
    assert changes == {"model_changed": False, "carried": 2, "dropped": [], "classes_reset": False}
    assert again.to_json() == text
    assert again.mastery("as.add_20") == state.mastery("as.add_20")


def test_state_carries_over_to_a_refit_by_skill_id(cohort, cohort_model):
    state = pathwise.LearnerState(cohort_model)
    state.observe("ns.count_100", True)
    state.observe("pv.tens_ones", True)
    fewer = cohort[cohort.skill != "pv.tens_ones"]
    refit = pathwise.Model(seed=2).fit(fewer, defaults=COHORT_COLUMNS)
    moved, changes = pathwise.LearnerState.from_json(state.to_json(), refit)
    assert changes["model_changed"] is True
    assert changes["dropped"] == ["pv.tens_ones"]
    assert changes["carried"] == 1
    assert moved.mastery("ns.count_100") == pytest.approx(state.mastery("ns.count_100"))
    # A state is bound to its model: using it with another is an error, not a silent misread.
    with pytest.raises(ValueError, match="belongs to model"):
        pathwise.Recommender(pathwise.load_graph(CURRICULUM), refit).recommend(state, 3)


def test_bad_state_text_is_a_value_error(cohort_model):
    with pytest.raises(ValueError):
        pathwise.LearnerState.from_json("{not json", cohort_model)


def test_recommend_on_the_demo_curriculum(cohort_model):
    graph = pathwise.load_graph(CURRICULUM)
    assert len(graph.skills) == 70 and graph.n_activities > 0
    rec = pathwise.Recommender(graph, cohort_model)
    state = pathwise.LearnerState(cohort_model)
    picks = rec.recommend(state, 3)
    assert [p["rank"] for p in picks] == [1, 2, 3]
    assert len({p["skill"] for p in picks}) == 3
    for p in picks:
        assert p["reason"] and p["status"] != "mastered"
        assert p["skill"] in graph.skills
    # Mastering the first pick moves it off the list.
    first = picks[0]["skill"]
    for _ in range(12):
        state.observe(first, True)
    assert state.status(first) == "mastered"
    assert first not in [p["skill"] for p in rec.recommend(state, 3)]


def test_path_to_a_goal_is_in_prerequisite_order(cohort_model):
    graph = pathwise.load_graph(CURRICULUM)
    goal = "eq.two_step"
    assert goal in graph.skills
    rec = pathwise.Recommender(graph, cohort_model, goals=[goal])
    plan = rec.path(pathwise.LearnerState(cohort_model))
    steps = [s["skill"] for s in plan["steps"]]
    assert steps[-1] == goal
    assert [s["step"] for s in plan["steps"]] == list(range(1, len(steps) + 1))
    assert all(s["expected_opportunities"] is None or s["expected_opportunities"] > 0 for s in plan["steps"])


def test_unknown_goal_and_missing_graph_file_are_errors(cohort_model, tmp_path):
    graph = pathwise.load_graph(CURRICULUM)
    with pytest.raises(ValueError, match="no.such.skill"):
        pathwise.Recommender(graph, cohort_model, goals=["no.such.skill"])
    with pytest.raises(ValueError, match="absent.toml: cannot read"):
        pathwise.load_graph(tmp_path / "absent.toml")
    bad = tmp_path / "bad.toml"
    bad.write_text('[[skill]]\nid = "a"\nrequires = ["a"\n')
    with pytest.raises(ValueError, match="bad.toml:"):
        pathwise.load_graph(bad)
