#!/usr/bin/env python3
"""Side by side: pathwise vs pyBKT (C++ build) on the same files, same restarts.

Run with the Python of the virtual environment made by benches/pybkt/setup.sh:

    ~/.cache/pathwise/pybkt-venv/bin/python benches/pybkt/compare.py --pathwise target/release/pathwise

Datasets:
  assist   ASSISTments 2009 skill builder (AKT preprocessing): AKT fold 1 = test, folds 2-5 = train.
  cohort   a generated cohort (default 1,000,000 train rows + held-out learners for test), drawn
           from known BKT parameters with a fixed seed.

For each dataset the script writes the train/test CSVs once (columns order_id, user_id, skill_name,
correct: what pyBKT reads by default), and both tools read exactly those files. Each tool runs in its
own process: its wall time and peak memory are measured from the outside.

Metrics are computed here, identically for both tools:
  * train log-likelihood: one exact forward pass (numpy, float64) over the train rows with the
    fitted parameters of each tool (pyBKT's own reported log-likelihood is integer-truncated);
  * test AUC / RMSE / log loss / accuracy from each tool's own test predictions (P(correct) before
    each response is seen). The script also replays the test set with each tool's parameters and
    reports the largest difference to the tool's predictions, as a check that the two agree on the
    model they fitted.

Results: a markdown table on stdout and a JSON file (--out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = ["order_id", "user_id", "skill_name", "correct"]
# pathwise's pybkt preset reads exactly pyBKT's default columns; naming them as well keeps the
# mapping explicit.
PATHWISE_COLS = [
    "--preset", "pybkt",
    "--col", "learner=user_id",
    "--col", "skill=skill_name",
    "--col", "correct=correct",
    "--col", "order=order_id",
]
LOG_FLOOR = 1e-300  # only reached by degenerate unbounded fits; keeps the sum finite
LOSS_CLIP = 1e-15  # the usual clip for log loss (as in scikit-learn)


# --------------------------------------------------------------------------------------------
# Data preparation
# --------------------------------------------------------------------------------------------

def shared_datasets_dir(explicit: str | None) -> Path:
    if explicit:
        return Path(explicit)
    env = os.environ.get("PATHWISE_SHARED_DATASETS")
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[2]
    for candidate in (root.parent / "shared" / "datasets", root / ".." / "shared" / "datasets"):
        if candidate.is_dir():
            return candidate
    return root.parent / "shared" / "datasets"


def write_split(train: pd.DataFrame, test: pd.DataFrame, out_dir: Path) -> dict:
    """Write train/test CSVs with a globally unique order_id per row (time order within learner)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, df in (("train", train), ("test", test)):
        path = out_dir / f"{name}.csv"
        df[COLUMNS].to_csv(path, index=False)
        paths[name] = path
    return {k: str(v) for k, v in paths.items()}


def prepare_assist(datasets: Path, out_dir: Path) -> dict:
    folder = datasets / "assistments2009_skillbuilder_akt"
    parts = [folder / "interactions_long_part01.csv", folder / "interactions_long_part02.csv"]
    for part in parts:
        if not part.is_file():
            raise FileNotFoundError(f"{part} not found (set --datasets or PATHWISE_SHARED_DATASETS)")
    raw = pd.concat([pd.read_csv(p) for p in parts], ignore_index=True)
    # seq_idx is chronological within a learner; multi-skill problems are repeated rows with the
    # same seq_idx and another skill: keep file order for those ties (stable sort).
    raw = raw.sort_values(["user_id", "seq_idx"], kind="mergesort").reset_index(drop=True)
    df = pd.DataFrame({
        "order_id": np.arange(len(raw), dtype=np.int64),
        "user_id": raw["user_id"].astype(np.int64),
        "skill_name": "s" + raw["skill_idx"].astype(str),
        "correct": raw["correct"].astype(np.int64),
        "fold": raw["fold"].astype(np.int64),
    })
    train = df[df["fold"] != 1]
    test = df[df["fold"] == 1]
    # Both tools are scored on the same test rows: those of skills seen in training (pyBKT cannot
    # predict a skill it has not fitted).
    known = set(train["skill_name"].unique())
    unseen = ~test["skill_name"].isin(known)
    test = test[~unseen]
    paths = write_split(train, test, out_dir)
    return {
        **paths,
        "description": "ASSISTments 2009 skill builder (AKT): folds 2-5 train, fold 1 test",
        "train_rows": int(len(train)), "test_rows": int(len(test)),
        "test_rows_dropped_unseen_skill": int(unseen.sum()),
        "learners": int(df["user_id"].nunique()), "skills": int(df["skill_name"].nunique()),
    }


def simulate_bkt(rng: np.random.Generator, params: pd.DataFrame, n_learners: int,
                 first_learner: int, min_len: int, max_len: int) -> pd.DataFrame:
    """Every learner practises every skill min_len..max_len times; skills interleave in time."""
    n_skills = len(params)
    learner = np.repeat(np.arange(n_learners), n_skills)
    skill = np.tile(np.arange(n_skills), n_learners)
    lengths = rng.integers(min_len, max_len + 1, size=learner.size)
    g_learner = np.repeat(learner, lengths)
    g_skill = np.repeat(skill, lengths)
    group = np.repeat(np.arange(learner.size), lengths)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    pos = np.arange(group.size) - np.repeat(starts, lengths)

    prior, learn, forget, guess, slip = (params[c].to_numpy()[g_skill]
                                         for c in ("prior", "learn", "forget", "guess", "slip"))
    known = np.zeros(group.size, dtype=bool)
    correct = np.zeros(group.size, dtype=np.int64)
    # Walk time steps across all sequences at once.
    by_pos = np.argsort(pos, kind="stable")
    pos_sorted = pos[by_pos]
    bounds = np.searchsorted(pos_sorted, np.arange(max_len + 1))
    state = np.zeros(learner.size, dtype=bool)
    for t in range(max_len):
        rows = by_pos[bounds[t]:bounds[t + 1]]
        if rows.size == 0:
            continue
        g = group[rows]
        if t == 0:
            state[g] = rng.random(rows.size) < prior[rows]
        else:
            u = rng.random(rows.size)
            was = state[g]
            state[g] = np.where(was, u >= forget[rows], u < learn[rows])
        known[rows] = state[g]
        u = rng.random(rows.size)
        correct[rows] = np.where(known[rows], u >= slip[rows], u < guess[rows]).astype(np.int64)

    # Interleave a learner's skills in time: random time keys, sorted within each sequence so
    # that a skill's attempts keep their order.
    key = rng.random(group.size)
    key_sorted = np.empty_like(key)
    order_in_group = np.lexsort((key, group))
    key_sorted[np.lexsort((pos, group))] = key[order_in_group]
    time_order = np.lexsort((key_sorted, g_learner))
    df = pd.DataFrame({
        "user_id": first_learner + g_learner[time_order],
        "skill_name": params.index.to_numpy()[g_skill[time_order]],
        "correct": correct[time_order],
    })
    return df


def prepare_cohort(out_dir: Path, rows: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    n_skills = 20
    min_len, max_len = 5, 15
    mean_len = (min_len + max_len) / 2
    n_train = max(1, int(round(rows / (n_skills * mean_len))))
    n_test = max(1, n_train // 5)
    params = pd.DataFrame({
        "prior": rng.uniform(0.05, 0.6, n_skills),
        "learn": rng.uniform(0.05, 0.35, n_skills),
        "forget": rng.uniform(0.0, 0.06, n_skills),
        "guess": rng.uniform(0.05, 0.35, n_skills),
        "slip": rng.uniform(0.03, 0.2, n_skills),
    }, index=[f"g{k:02d}" for k in range(n_skills)])
    train = simulate_bkt(rng, params, n_train, 1, min_len, max_len)
    test = simulate_bkt(rng, params, n_test, 1 + n_train, min_len, max_len)
    offset = 0
    for df in (train, test):
        df.insert(0, "order_id", np.arange(offset, offset + len(df), dtype=np.int64))
        offset += len(df)
    paths = write_split(train, test, out_dir)
    truth = {s: {k: float(v) for k, v in row.items()} for s, row in params.iterrows()}
    return {
        **paths,
        "description": (f"generated cohort, seed {seed}: {n_skills} skills, {n_train} train + "
                        f"{n_test} test learners, {min_len}-{max_len} attempts per skill, "
                        "BKT with forgetting"),
        "train_rows": int(len(train)), "test_rows": int(len(test)),
        "learners": n_train + n_test, "skills": n_skills,
        "true_params": truth,
    }


# --------------------------------------------------------------------------------------------
# The shared yardstick: an exact forward pass with given per-skill parameters
# --------------------------------------------------------------------------------------------

def forward(df: pd.DataFrame, params: dict) -> tuple[np.ndarray, np.ndarray]:
    """P(correct) before each response, and a mask of rows whose skill has parameters.

    `params` maps skill -> dict(prior, learn, forget, guess, slip). Rows are taken in
    (learner, order_id) order within each skill; the result is aligned with df's rows.
    """
    skills = df["skill_name"].to_numpy()
    names = sorted(params)
    index = {s: i for i, s in enumerate(names)}
    sk = np.array([index.get(s, -1) for s in skills], dtype=np.int64) if len(names) else \
        np.full(len(df), -1, dtype=np.int64)
    known_skill = sk >= 0
    table = np.array([[params[s][k] for k in ("prior", "learn", "forget", "guess", "slip")]
                      for s in names], dtype=np.float64).reshape(-1, 5)

    p = np.full(len(df), np.nan)
    rows = np.flatnonzero(known_skill)
    if rows.size == 0:
        return p, known_skill
    learner = df["user_id"].to_numpy()[rows]
    order = df["order_id"].to_numpy()[rows]
    s = sk[rows]
    srt = np.lexsort((order, learner, s))
    rows, learner, s = rows[srt], learner[srt], s[srt]
    new_group = np.ones(rows.size, dtype=bool)
    new_group[1:] = (learner[1:] != learner[:-1]) | (s[1:] != s[:-1])
    group = np.cumsum(new_group) - 1
    starts = np.flatnonzero(new_group)
    pos = np.arange(rows.size) - starts[group]
    correct = df["correct"].to_numpy()[rows].astype(bool)
    prior, learn, forget, guess, slip = (table[s, k] for k in range(5))

    by_pos = np.argsort(pos, kind="stable")
    bounds = np.searchsorted(pos[by_pos], np.arange(pos.max() + 2))
    state = prior[starts].copy()
    out = np.empty(rows.size)
    for t in range(pos.max() + 1):
        r = by_pos[bounds[t]:bounds[t + 1]]
        g = group[r]
        pk = state[g]
        pc = pk * (1.0 - slip[r]) + (1.0 - pk) * guess[r]
        out[r] = pc
        c = correct[r]
        with np.errstate(divide="ignore", invalid="ignore"):
            post = np.where(c, pk * (1.0 - slip[r]) / pc, pk * slip[r] / (1.0 - pc))
        post = np.nan_to_num(post, nan=pk)
        state[g] = post * (1.0 - forget[r]) + (1.0 - post) * learn[r]
    p[rows] = out
    return p, known_skill


def log_likelihood(df: pd.DataFrame, params: dict) -> float:
    p, known = forward(df, params)
    c = df["correct"].to_numpy()[known].astype(bool)
    pk = p[known]
    like = np.where(c, pk, 1.0 - pk)
    return float(np.sum(np.log(np.maximum(like, LOG_FLOOR))))


def brute_force_log_likelihood(correct: list[int], p: dict) -> float:
    """log P(responses) by summing over every hidden path (2^T of them): the slow definition."""
    import itertools
    total = 0.0
    for path in itertools.product((0, 1), repeat=len(correct)):
        prob = p["prior"] if path[0] else 1.0 - p["prior"]
        for t, (known, c) in enumerate(zip(path, correct)):
            if t > 0:
                was = path[t - 1]
                move = (1.0 - p["forget"] if known else p["forget"]) if was else \
                    (p["learn"] if known else 1.0 - p["learn"])
                prob *= move
            p_c = 1.0 - p["slip"] if known else p["guess"]
            prob *= p_c if c else 1.0 - p_c
        total += prob
    return float(np.log(total))


def self_test() -> None:
    """Checks the yardstick: forward() against brute-force enumeration, on shuffled rows."""
    rng = np.random.default_rng(7)
    rows = []
    params = {}
    expected = 0.0
    order = 0
    for k in range(4):
        skill = f"k{k}"
        params[skill] = {"prior": rng.uniform(0.05, 0.9), "learn": rng.uniform(0.0, 0.5),
                         "forget": rng.uniform(0.0, 0.2) if k % 2 else 0.0,
                         "guess": rng.uniform(0.0, 0.6), "slip": rng.uniform(0.0, 0.6)}
        for learner in range(5):
            seq = rng.integers(0, 2, size=rng.integers(1, 9)).tolist()
            expected += brute_force_log_likelihood(seq, params[skill])
            for c in seq:
                order += 1
                rows.append((order, learner, skill, c))
    df = pd.DataFrame(rows, columns=COLUMNS).sample(frac=1.0, random_state=3)
    got = log_likelihood(df, params)
    assert abs(got - expected) < 1e-9 * abs(expected), (got, expected)
    # A skill without parameters is left out, not guessed.
    p, known = forward(df.assign(skill_name="other"), params)
    assert not known.any() and np.isnan(p).all()
    # The generator reproduces itself and honours its parameters on average.
    a = simulate_bkt(np.random.default_rng(1), pd.DataFrame(
        {"prior": [0.3], "learn": [0.2], "forget": [0.0], "guess": [0.2], "slip": [0.1]},
        index=["x"]), 20000, 1, 1, 1)
    assert a["correct"].mean() == simulate_bkt(np.random.default_rng(1), pd.DataFrame(
        {"prior": [0.3], "learn": [0.2], "forget": [0.0], "guess": [0.2], "slip": [0.1]},
        index=["x"]), 20000, 1, 1, 1)["correct"].mean()
    first = 0.3 * 0.9 + 0.7 * 0.2
    assert abs(a["correct"].mean() - first) < 0.01, a["correct"].mean()
    print(f"self-test passed: forward pass = brute force ({got:.12f}), generator mean "
          f"{a['correct'].mean():.4f} vs {first:.4f}")


def metrics(y: np.ndarray, p: np.ndarray) -> dict:
    from sklearn.metrics import roc_auc_score
    y = y.astype(np.float64)
    pc = np.clip(p, LOSS_CLIP, 1 - LOSS_CLIP)
    return {
        "auc": float(roc_auc_score(y, p)),
        "rmse": float(np.sqrt(np.mean((p - y) ** 2))),
        "log_loss": float(-np.mean(y * np.log(pc) + (1 - y) * np.log(1 - pc))),
        "accuracy": float(np.mean((p >= 0.5) == (y == 1))),
        "n": int(y.size),
    }


# --------------------------------------------------------------------------------------------
# Running the tools (each in its own process, measured from outside)
# --------------------------------------------------------------------------------------------

# A child forked from this (large) Python process inherits its resident set in ru_maxrss, which
# exec does not reset: the peak memory is read by /usr/bin/time, whose own child starts small.
GNU_TIME = "/usr/bin/time"


def run_measured(cmd: list[str], env: dict | None, log_path: Path) -> dict:
    peak_file = log_path.with_suffix(".peak")
    wrapped = ([GNU_TIME, "-f", "%M", "-o", str(peak_file)] + cmd
               if os.access(GNU_TIME, os.X_OK) else cmd)
    start = time.perf_counter()
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(wrapped, stdout=log, stderr=subprocess.STDOUT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code
    if code != 0:
        tail = log_path.read_text(errors="replace")[-2000:]
        raise RuntimeError(f"command failed with exit {code}: {' '.join(cmd)}\n{tail}")
    peak_kb = usage.ru_maxrss
    if wrapped is not cmd:
        peak_kb = int(peak_file.read_text().split()[-1])
    return {"wall_s": wall, "peak_rss_mb": peak_kb / 1024.0,
            "cpu_s": usage.ru_utime + usage.ru_stime}


def median_run(runs: list[dict], key: str) -> dict:
    """The run whose `key` time is the median (the lower middle one for an even count), with that
    time of every run in `runs_s`: a VM's wall times vary by tens of percent from run to run, for
    both tools."""
    ordered = sorted(runs, key=lambda r: r[key])
    mid = dict(ordered[(len(ordered) - 1) // 2])
    mid["runs_s"] = [r[key] for r in runs]
    return mid


def thread_env(threads: int) -> dict:
    env = dict(os.environ)
    env["OMP_NUM_THREADS"] = str(threads)
    env["RAYON_NUM_THREADS"] = str(threads)
    return env


def file_sha256(path: str) -> str:
    import hashlib
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def run_pybkt(data: dict, forgets: bool, args, work: Path) -> dict:
    tag = f"pybkt_{'forgets' if forgets else 'standard'}"
    out = work / tag
    out.mkdir(exist_ok=True)
    inputs = {"train": file_sha256(data["train"]), "test": file_sha256(data["test"]),
              "restarts": args.restarts, "seed": args.seed, "threads": args.threads,
              "forgets": forgets, "repeat": args.repeat}
    stamp = out / "inputs.json"
    reuse = (args.reuse_pybkt and stamp.is_file() and (out / "process.json").is_file()
             and json.loads(stamp.read_text()) == inputs)
    if reuse:
        print(f"  reusing the pyBKT run in {out} (same inputs)", file=sys.stderr)
        proc = json.loads((out / "process.json").read_text())
    else:
        stamp.unlink(missing_ok=True)
        proc = run_pybkt_process(data, forgets, args, out)
        (out / "process.json").write_text(json.dumps(proc))
        stamp.write_text(json.dumps(inputs))
    return collect_pybkt(data, forgets, args, out, proc, reuse)


def run_pybkt_process(data: dict, forgets: bool, args, out: Path) -> dict:
    """Runs the pyBKT worker `--repeat` times; returns the median run (by the worker's own
    load+fit time) with every run's figures."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--pybkt-worker",
           "--train", data["train"], "--test", data["test"], "--outdir", str(out),
           "--restarts", str(args.restarts), "--seed", str(args.seed)]
    if forgets:
        cmd.append("--forgets")
    runs = []
    for _ in range(args.repeat):
        proc = run_measured(cmd, thread_env(args.threads), out / "log.txt")
        inner = json.loads((out / "timings.json").read_text())
        runs.append({**proc, "inner": inner,
                     "load_fit_s": inner["load_s"] + inner["fit_s"]})
    return median_run(runs, "load_fit_s")


def collect_pybkt(data: dict, forgets: bool, args, out: Path, proc: dict, reused: bool) -> dict:
    inner = proc["inner"]
    params = json.loads((out / "params.json").read_text())
    pred = pd.read_csv(out / "pred.csv")
    test = pd.read_csv(data["test"])
    if not np.array_equal(pred["row"].to_numpy(), np.arange(len(test))):
        raise RuntimeError("pyBKT predictions do not cover the test rows one to one")
    if not np.array_equal(pred["correct"].to_numpy(), test["correct"].to_numpy()):
        raise RuntimeError("pyBKT predictions: the correct column does not match the test file")
    return {
        "tool": "pyBKT 1.4.3 (C++)",
        "model": "forgets" if forgets else "standard",
        "options": f"num_fits={args.restarts}, seed={args.seed}, defaults",
        "load_s": inner["load_s"], "fit_s": inner["fit_s"],
        "load_fit_s": inner["load_s"] + inner["fit_s"],
        "process_s": proc["wall_s"], "peak_rss_mb": proc["peak_rss_mb"], "cpu_s": proc["cpu_s"],
        "predict_s": inner["predict_s"], "reused_earlier_run": reused,
        "load_fit_runs_s": proc["runs_s"],
        "params": params, "p_test": pred["correct_predictions"].to_numpy(),
    }


def pybkt_worker(args) -> None:
    """Runs inside the child process: pyBKT load, fit, predict, each timed."""
    import random
    from pyBKT.models import Model
    import pyBKT.fit.E_step as e_step
    if not str(getattr(e_step, "__file__", "")).endswith(".so"):
        sys.exit("pyBKT's E_step is not the compiled module: run benches/pybkt/setup.sh")
    random.seed(args.seed)
    out = Path(args.outdir)
    t0 = time.perf_counter()
    train = pd.read_csv(args.train)
    t1 = time.perf_counter()
    model = Model(seed=args.seed, num_fits=args.restarts)
    model.fit(data=train, forgets=args.forgets)  # pyBKT sorts `train` in place: not reused
    t2 = time.perf_counter()
    test = pd.read_csv(args.test)
    test["row"] = np.arange(len(test))
    t3 = time.perf_counter()
    pred = model.predict(data=test)
    t4 = time.perf_counter()
    pred = pred.sort_values("row")
    pred[["row", "correct", "correct_predictions", "state_predictions"]].to_csv(
        out / "pred.csv", index=False)
    params = {}
    for skill, coef in model.coef_.items():
        params[str(skill)] = {
            "prior": float(coef["prior"]),
            "learn": float(np.asarray(coef["learns"]).ravel()[0]),
            "forget": float(np.asarray(coef["forgets"]).ravel()[0]),
            "guess": float(np.asarray(coef["guesses"]).ravel()[0]),
            "slip": float(np.asarray(coef["slips"]).ravel()[0]),
        }
    (out / "params.json").write_text(json.dumps(params, indent=1))
    (out / "timings.json").write_text(json.dumps(
        {"load_s": t1 - t0, "fit_s": t2 - t1, "predict_s": t4 - t3}))


def run_pathwise(data: dict, forgets: bool, bounds_none: bool, args, work: Path) -> dict:
    tag = f"pathwise_{'forgets' if forgets else 'standard'}{'_bounds_none' if bounds_none else ''}"
    out = work / tag
    out.mkdir(exist_ok=True)
    model_path = out / "model.json"
    pred_path = out / "pred.csv"
    extra = (["--forgets"] if forgets else []) + (["--bounds", "none"] if bounds_none else [])
    fit_cmd = [args.pathwise, "fit", data["train"], *PATHWISE_COLS, *extra,
               "--restarts", str(args.restarts), "--seed", str(args.seed),
               "--threads", str(args.threads), "-o", str(model_path)]
    fit = median_run([run_measured(fit_cmd, thread_env(args.threads), out / "fit.log")
                      for _ in range(args.repeat)], "wall_s")
    pred_cmd = [args.pathwise, "predict", "--model", str(model_path), data["test"],
                *PATHWISE_COLS, "-o", str(pred_path)]
    pred_run = run_measured(pred_cmd, thread_env(args.threads), out / "predict.log")

    model = json.loads(model_path.read_text())
    params = {}
    own_ll = 0.0
    iterations = 0
    for skill, p in model["skills"].items():
        params[skill] = {"prior": p["prior"], "learn": p["learn"], "forget": p.get("forget", 0.0),
                         "guess": p["guess"], "slip": p["slip"]}
        own_ll += float(p.get("log_likelihood", 0.0))
        iterations += int(p.get("iterations", 0) or 0)

    # Align pathwise's predictions with the test rows: within one (learner, skill) both list the
    # attempts in time order, so the k-th prediction of a pair is the pair's k-th test row.
    test = pd.read_csv(data["test"])
    pred = pd.read_csv(pred_path, dtype={"learner": str, "skill": str})
    key_test = test.assign(learner=test["user_id"].astype(str), skill=test["skill_name"].astype(str))
    key_test = key_test.sort_values("order_id", kind="mergesort")
    key_test["k"] = key_test.groupby(["learner", "skill"]).cumcount()
    pred["k"] = pred.groupby(["learner", "skill"]).cumcount()
    merged = key_test.reset_index().merge(pred, on=["learner", "skill", "k"], how="left",
                                          suffixes=("", "_pw"))
    if merged["p_correct"].isna().any() or len(pred) != len(test):
        raise RuntimeError(f"pathwise predictions ({len(pred)} rows) do not match the "
                           f"{len(test)} test rows")
    if not np.array_equal(merged["correct"].to_numpy(), merged["correct_pw"].to_numpy()):
        raise RuntimeError("pathwise predictions: the correct column does not match the test file")
    p_test = np.empty(len(test))
    p_test[merged["index"].to_numpy()] = merged["p_correct"].to_numpy()
    return {
        "tool": "pathwise",
        "model": "forgets" if forgets else "standard",
        "options": " ".join(extra + ["--restarts", str(args.restarts), "--seed", str(args.seed),
                                     "--threads", str(args.threads)]),
        "load_s": None, "fit_s": None, "load_fit_s": fit["wall_s"],
        "process_s": fit["wall_s"], "peak_rss_mb": fit["peak_rss_mb"], "cpu_s": fit["cpu_s"],
        "predict_s": pred_run["wall_s"], "own_log_likelihood": own_ll,
        "load_fit_runs_s": fit["runs_s"],
        "em_iterations_reported": iterations,
        "params": params, "p_test": p_test,
    }


# --------------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------------

def score(result: dict, train: pd.DataFrame, test: pd.DataFrame) -> dict:
    params = result.pop("params")
    p_test = result.pop("p_test")
    result["train_log_likelihood"] = log_likelihood(train, params)
    result.update({f"test_{k}": v for k, v in metrics(test["correct"].to_numpy(), p_test).items()})
    replay, known = forward(test, params)
    result["replay_max_abs_diff"] = float(np.nanmax(np.abs(replay[known] - p_test[known])))
    result["params"] = params
    return result


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def span(r: dict) -> str:
    runs = r.get("load_fit_runs_s")
    return "—" if not runs else f"{min(runs):.2f}–{max(runs):.2f}"


def markdown(results: list[dict], datasets: dict) -> str:
    lines = []
    for name, info in datasets.items():
        lines.append(f"**{name}** — {info['description']}; train {info['train_rows']:,} rows, "
                     f"test {info['test_rows']:,} rows")
        lines.append("")
        lines.append("| model | tool | options | load s | fit s | load+fit s | load+fit range s | "
                     "process s | CPU s | peak MB | train LL | test AUC | test RMSE | "
                     "test log loss | speed-up |")
        lines.append("|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
        rows = [r for r in results if r["dataset"] == name]
        for r in rows:
            speed = r.get("speedup_vs_pybkt")
            lines.append(
                f"| {r['model']} | {r['tool']} | {r['options']} | {fmt(r['load_s'], '.2f')} | "
                f"{fmt(r['fit_s'], '.2f')} | {fmt(r['load_fit_s'], '.2f')} | {span(r)} | "
                f"{fmt(r['process_s'], '.2f')} | {fmt(r.get('cpu_s'), '.2f')} | "
                f"{fmt(r['peak_rss_mb'], '.0f')} | {fmt(r['train_log_likelihood'], ',.1f')} | "
                f"{fmt(r['test_auc'], '.4f')} | {fmt(r['test_rmse'], '.4f')} | "
                f"{fmt(r['test_log_loss'], '.4f')} | "
                f"{'—' if speed is None else format(speed, '.1f') + '×'} |")
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pathwise", help="path to the pathwise binary (release build); "
                    "without it only pyBKT runs")
    ap.add_argument("--datasets-dir", help="the shared datasets folder "
                    "(default: ../shared/datasets or $PATHWISE_SHARED_DATASETS)")
    ap.add_argument("--only", default="assist,cohort", help="datasets to run: assist,cohort")
    ap.add_argument("--models", default="standard,forgets")
    ap.add_argument("--restarts", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2,
                    help="threads for both tools (pyBKT: OMP_NUM_THREADS; pathwise: --threads)")
    ap.add_argument("--cohort-rows", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3,
                    help="fit each model this many times with each tool; times are the median run "
                    "(the table also shows the range)")
    ap.add_argument("--no-pybkt", action="store_true", help="run pathwise only")
    ap.add_argument("--reuse-pybkt", action="store_true",
                    help="reuse pyBKT's results from an earlier run in --workdir when its inputs "
                    "(file checksums, restarts, seed, threads) are the same")
    ap.add_argument("--workdir", help="keep the CSVs, models and predictions here")
    ap.add_argument("--out", default="pybkt_comparison.json", help="JSON results file")
    ap.add_argument("--self-test", action="store_true",
                    help="check the forward pass against brute-force enumeration, then exit")
    # internal: the pyBKT child process
    ap.add_argument("--pybkt-worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--train", help=argparse.SUPPRESS)
    ap.add_argument("--test", help=argparse.SUPPRESS)
    ap.add_argument("--outdir", help=argparse.SUPPRESS)
    ap.add_argument("--forgets", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.pybkt_worker:
        pybkt_worker(args)
        return
    if args.self_test:
        self_test()
        return
    if args.restarts < 1:
        ap.error("--restarts must be at least 1")
    if args.repeat < 1:
        ap.error("--repeat must be at least 1")
    if args.pathwise:
        args.pathwise = str(Path(args.pathwise).resolve())
        if not os.access(args.pathwise, os.X_OK):
            ap.error(f"--pathwise {args.pathwise}: not an executable file")

    tmp = None
    if args.workdir:
        work = Path(args.workdir)
        work.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="pybkt-compare-")
        work = Path(tmp.name)

    wanted = [d.strip() for d in args.only.split(",") if d.strip()]
    models = [m.strip() for m in args.models.split(",") if m.strip()]
    datasets = {}
    results = []
    for name in wanted:
        d_work = work / name
        print(f"[{name}] preparing data in {d_work}", file=sys.stderr)
        if name == "assist":
            info = prepare_assist(shared_datasets_dir(args.datasets_dir), d_work)
        elif name == "cohort":
            info = prepare_cohort(d_work, args.cohort_rows, args.seed)
        else:
            ap.error(f"unknown dataset {name!r} (assist, cohort)")
        datasets[name] = info
        train = pd.read_csv(info["train"])
        test = pd.read_csv(info["test"])
        if "true_params" in info:
            truth = {"tool": "true parameters", "model": "forgets", "options": "generator",
                     "load_s": None, "fit_s": None, "load_fit_s": None, "process_s": None,
                     "peak_rss_mb": None, "params": info["true_params"]}
            p_true, _ = forward(test, info["true_params"])
            truth["p_test"] = p_true
            results.append({"dataset": name, **score(truth, train, test)})
        for model in models:
            forgets = model == "forgets"
            runs = []
            if not args.no_pybkt:
                print(f"[{name}] pyBKT {model}", file=sys.stderr)
                runs.append(run_pybkt(info, forgets, args, d_work))
            if args.pathwise:
                for bounds_none in (False, True):
                    print(f"[{name}] pathwise {model}{' --bounds none' if bounds_none else ''}",
                          file=sys.stderr)
                    runs.append(run_pathwise(info, forgets, bounds_none, args, d_work))
            scored = [score(r, train, test) for r in runs]
            base = next((r for r in scored if r["tool"].startswith("pyBKT")), None)
            for r in scored:
                if base is not None and r is not base and r["load_fit_s"]:
                    r["speedup_vs_pybkt"] = base["load_fit_s"] / r["load_fit_s"]
                    r["cpu_ratio_vs_pybkt"] = base["cpu_s"] / r["cpu_s"]
                results.append({"dataset": name, **r})
            for r in scored:
                print(f"  {r['tool']:<20} {r['options']:<40} load+fit {fmt(r['load_fit_s'], '.2f')} s"
                      f"  LL {r['train_log_likelihood']:.2f}  AUC {r['test_auc']:.4f}",
                      file=sys.stderr)

    meta = {
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "restarts": args.restarts, "seed": args.seed, "threads": args.threads,
        "repeat": args.repeat, "host": platform.node(), "cpus": os.cpu_count(),
        "load_average_at_end": os.getloadavg(),
        "python": platform.python_version(),
        "pathwise": args.pathwise,
        "pathwise_pending": not args.pathwise,
    }
    try:
        import pyBKT  # noqa: F401
        from importlib.metadata import version
        meta["pybkt_version"] = version("pyBKT")
    except Exception:  # the pathwise-only mode does not need pyBKT
        meta["pybkt_version"] = None
    for info in datasets.values():
        for k in ("train", "test"):
            info[k] = str(Path(info[k]).name)
    Path(args.out).write_text(json.dumps({"meta": meta, "datasets": datasets, "results": results},
                                         indent=1))
    print(markdown(results, datasets))
    if not args.pathwise:
        print("pathwise column pending: run again with --pathwise PATH")
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
