"""Shared fixtures: the repository's demo files and the shared ASSISTments subset (when present)."""

import os
from pathlib import Path

import pandas as pd
import pytest

import pathwise

REPO = Path(__file__).resolve().parents[2]
CURRICULUM = REPO / "datasets" / "demo" / "curriculum.toml"
COHORT = REPO / "datasets" / "demo" / "cohort.csv"
ASSISTMENTS = REPO.parent / "shared" / "datasets" / "assistments2009_skillbuilder_pybkt_subset" / "as.csv"
KDD_PARTS = [REPO.parent / "shared" / "datasets" / "kddcup2010_algebra_2005_2006_pybkt_head" / f"ct_part{i}.tsv" for i in (1, 2)]

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


@pytest.fixture(scope="session")
def kdd_ct(tmp_path_factory) -> Path:
    """pyBKT's Cognitive Tutor sample ``ct.csv`` (KDD Cup 2010 Algebra I step rows, tab-separated
    under a ``.csv`` name as pyBKT's examples ship it), rebuilt from the shared two parts;
    skipped when absent."""
    if not all(p.is_file() for p in KDD_PARTS):
        pytest.skip("the shared KDD Cup 2010 head (ct_part1.tsv, ct_part2.tsv beside the clone's ../shared/datasets) is absent")
    path = tmp_path_factory.mktemp("kdd") / "ct.csv"
    first, second = (p.read_bytes() for p in KDD_PARTS)
    path.write_bytes(first + second.split(b"\n", 1)[1])
    return path


@pytest.fixture(scope="session")
def pathwise_cli() -> Path:
    """The ``pathwise`` binary, to check that the package gives the CLI's numbers: $PATHWISE_BIN,
    else ``debug/pathwise`` under $CARGO_TARGET_DIR or the repository's ``target``; skipped when
    none is built."""
    candidates = [os.environ.get("PATHWISE_BIN")]
    candidates += [str(Path(root) / "debug" / "pathwise") for root in (os.environ.get("CARGO_TARGET_DIR"), REPO / "target") if root]
    for candidate in filter(None, candidates):
        if Path(candidate).is_file():
            return Path(candidate)
    pytest.skip("no pathwise binary built (cargo build -p pathwise-cli, or set PATHWISE_BIN)")
