"""Type stubs of the native module ``pathwise._native`` (the Rust engine, built with PyO3).
Use the names re-exported by ``pathwise``; the underscored methods are the package's plumbing."""

from os import PathLike
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

_Columns = Tuple[bytes, List[str], bytes, List[str], Optional[bytes], Optional[List[str]], bytes, bytes]

class Model:
    """The native base of ``pathwise.Model``: the fitted model and the fit settings."""

    def __init__(
        self,
        seed: int = 0,
        num_fits: int = 5,
        max_iter: int = 200,
        tol: float = 1e-6,
        pseudo_counts: Optional[float] = None,
        bounds: str = "default",
    ) -> None: ...
    def _fit_columns(
        self,
        columns: _Columns,
        variant: Tuple[bool, bool, bool, bool],
        fixed_json: Optional[str] = None,
        warm_start: bool = False,
        progress: Optional[Callable[[int, int], Any]] = None,
    ) -> None: ...
    def _predict_columns(self, columns: _Columns) -> Tuple[bytes, bytes]: ...
    def _cross_validate_columns(
        self,
        columns: _Columns,
        variant: Tuple[bool, bool, bool, bool],
        fold_of_row: bytes,
        folds: int,
        fixed_json: Optional[str] = None,
        progress: Optional[Callable[[int, int], Any]] = None,
    ) -> bytes: ...
    def _param_rows(self) -> List[Tuple[str, str, str, float]]: ...
    def _load_json(self, text: str) -> None: ...
    @property
    def is_fitted(self) -> bool:
        """True once the model is fitted or loaded."""
    @property
    def skills(self) -> List[str]:
        """The skill ids of the model, sorted."""
    @property
    def fingerprint(self) -> str:
        """SHA-256 (hex) of the parameters; a learner state records it."""
    @property
    def variant(self) -> Tuple[bool, bool, bool, bool]:
        """(forgets, item_guess_slip, item_learn, learner_prior)."""
    def to_json(self) -> str:
        """The model as pathwise's JSON model file (the CLI's format)."""
    @classmethod
    def from_json(cls, text: str) -> "Model":
        """A model from the JSON ``to_json`` or ``pathwise fit`` wrote; ``ValueError`` names what is wrong."""

class LearnerState:
    """One learner under one model: P(known) per skill and the mastery evidence, updated in
    constant time per response."""

    def __init__(self, model: Model, threshold: float = 0.95, streak: int = 3, spinning: int = 10) -> None: ...
    def observe(self, skill: str, correct: bool, item: Optional[str] = None) -> Dict[str, float]:
        """Records one response; returns ``p_correct``, ``p_known_before``, ``p_known_after``."""
    def mastery(self, skill: str) -> float:
        """P(known) of ``skill`` now."""
    def status(self, skill: str) -> str:
        """``not_assessed``, ``learning``, ``spinning`` or ``mastered``."""
    @property
    def responses(self) -> int:
        """Responses observed so far."""
    def to_json(self) -> str:
        """The state as JSON keyed by skill id, with the model's fingerprint."""
    @staticmethod
    def from_json(text: str, model: Model) -> Tuple["LearnerState", Dict[str, Union[bool, int, List[str]]]]:
        """A stored state under ``model`` and what changed (``model_changed``, ``carried``,
        ``dropped``, ``classes_reset``): under a refitted model it is carried over by skill id."""

class SkillGraph:
    """A checked, acyclic skill graph."""

    @property
    def skills(self) -> List[str]:
        """The skill ids, in the graph's order."""
    @property
    def n_edges(self) -> int:
        """The number of prerequisite edges."""
    @property
    def n_activities(self) -> int:
        """The number of activities."""

def load_graph(path: Union[str, PathLike], drop_cycle_edges: bool = False) -> SkillGraph:
    """Reads a skill-graph file (TOML, JSON, edge-list CSV, Junyi table, AL-CPL pairs); errors name
    the file and the line, column or skill."""

def learner_folds(learners: int, folds: int, seed: int) -> bytes:
    """The fold of each learner (uint32 bytes): shuffled by the seeded generator, dealt
    round-robin; ``ValueError`` unless ``2 <= folds <= learners``."""

def metric(metric: str, p: bytes, y: bytes) -> float:
    """``auc``, ``rmse``, ``accuracy`` or ``log_loss`` of float64 predictions against 0/1 bytes."""

def combine_models(parts: List[str]) -> str:
    """The JSON model of one fit of all their skills, from JSON models fitted apart to disjoint
    skills with the same settings; ``ValueError`` names a skill found twice or the settings that
    differ."""

class PartitionedFit:
    """EM of one skill whose learners are spread over partitions: ``pending()`` gives the points
    (JSON) EM waits for, ``receive`` adds the partitions' counts at them, ``finish()`` gives the
    one-skill model (JSON)."""

    def __init__(self, model: Model, skill: str, forgets: bool, fixed_json: Optional[str] = None) -> None: ...
    def pending(self) -> str:
        """The points EM waits for, as a JSON list of parameter objects; ``"[]"`` once it has ended."""
    def receive(self, parts: List[str]) -> None:
        """Adds the partitions' counts (JSON from ``partition_counts``) and moves EM on by one E-step."""
    def finish(self) -> str:
        """The fitted one-skill model as JSON, once ``pending()`` is empty."""

def partition_counts(columns: _Columns, skill: str, points_json: str, forgets: bool) -> str:
    """One partition's expected counts (JSON) of ``skill`` at the points ``points_json``."""

class Recommender:
    """The native recommender; ``pathwise.Recommender`` decodes its JSON."""

    def __init__(
        self,
        graph: SkillGraph,
        model: Model,
        goals: List[str] = ...,
        ready: Optional[float] = None,
        activities_per_skill: int = 1,
    ) -> None: ...
    def recommend(self, state: LearnerState, k: int) -> List[Dict[str, Any]]:
        """The top ``k`` recommendations, best first, as dicts."""
    def path(self, state: LearnerState, goals: List[str]) -> Dict[str, Any]:
        """The learning path of ``state`` to ``goals`` as a dict."""

def simulate(
    graph: SkillGraph,
    model: Optional[Model],
    policies: str = "pathwise",
    learners: int = 100,
    steps: int = 100,
    runs: int = 1,
    seed: int = 0,
    goals: List[str] = ...,
    mastery: float = 0.95,
    streak: int = 3,
    spinning: int = 10,
    blocked_factor: float = 0.1,
    advance_after: int = 3,
    keep_log: bool = False,
    progress: Optional[Callable[[int, int], Any]] = None,
) -> Dict[str, Any]:
    """Simulated learners under each policy (comma-separated names or ``all``), GIL released:
    ``policies`` (the figures of ``pathwise simulate --format json``), ``differences``
    (pathwise's paired difference to the others) and ``log`` (columns, or ``None``)."""

class Log:
    """An interaction log: responses by learner in time order, with their skills and items."""

    @property
    def n_responses(self) -> int:
        """The number of responses."""
    @property
    def learners(self) -> List[str]:
        """The learner ids, in the log's order."""
    @property
    def skills(self) -> List[str]:
        """The skill ids, in the log's order."""
    @property
    def dropped(self) -> List[Tuple[str, int]]:
        """Rows dropped on purpose while reading, by reason."""
    @staticmethod
    def _from_columns(columns: _Columns) -> "Log": ...

def read_log(
    paths: List[str],
    preset: Optional[str] = None,
    columns: List[Tuple[str, str]] = ...,
    encoding: str = "utf8",
    delimiter: Optional[str] = None,
    item_skills: Optional[str] = None,
) -> Log:
    """Reads log files as one log, as the ``pathwise`` CLI does; errors name file, line, column."""

def cross_validate_models(
    log: Log,
    models: List[str],
    split: str = "learner",
    folds: int = 5,
    test_fraction: float = 0.2,
    seed: int = 0,
    per_skill: bool = False,
    progress: Optional[Callable[[int, int], Any]] = None,
) -> Tuple[List[str], List[Dict[str, Any]]]:
    """The fold names and one report per model (``model``, ``pooled``, ``folds``, ``spread``,
    ``per_skill``), as ``pathwise eval`` computes them; GIL released."""

def write_report(
    log: Log,
    graph: SkillGraph,
    model: Model,
    dir: Union[str, PathLike],
    shown: Union[str, PathLike],
    sources: str,
    by_group: bool = False,
    learners: Optional[List[str]] = None,
    groups: Optional[int] = None,
    mastery: float = 0.95,
    streak: int = 3,
    spinning: int = 10,
    inactive_days: float = 14.0,
    inactive_share: float = 0.25,
    format: str = "csv",
) -> List[str]:
    """Writes the cohort report into the empty folder ``dir`` as ``pathwise report`` does; GIL
    released. Returns the recommender's warnings."""
