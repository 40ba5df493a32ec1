"""Shared fixtures: the repository's demo files and the shared ASSISTments subset (when present)."""

from pathlib import Path

import pandas as pd
import pytest

import pathwise

REPO = Path(__file__).resolve().parents[2]
CURRICULUM = REPO / "datasets" / "demo" / "curriculum.toml"
COHORT = REPO / "datasets" / "demo" / "cohort.csv"
ASSISTMENTS = REPO.parent / "shared" / "datasets" / "assistments2009_skillbuilder_pybkt_subset" / "as.csv"

#: The demo cohort's columns under pyBKT's names.
COHORT_COLUMNS = {"user_id": "learner", "skill_name": "skill", "order_id": "order", "multigs": "item"}


@pytest.fixture(scope="session")
def cohort() -> pd.DataFrame:
    """The demo cohort (8,276 responses of a synthetic class on the demo curriculum)."""
    return pd.read_csv(COHORT)


@pytest.fixture(scope="session")
def cohort_model(cohort) -> pathwise.Model:
    """A model fitted to the demo cohort."""
    return pathwise.Model(seed=1).fit(cohort, defaults=COHORT_COLUMNS)


@pytest.fixture(scope="session")
def assistments() -> pd.DataFrame:
    """The ASSISTments 2009 skill-builder subset pyBKT's examples use; skipped when absent."""
    if not ASSISTMENTS.is_file():
        pytest.skip(f"the shared ASSISTments subset is absent ({ASSISTMENTS.name} beside the clone's ../shared/datasets)")
    return pd.read_csv(ASSISTMENTS, encoding="latin", low_memory=False)
