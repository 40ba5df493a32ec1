#!/usr/bin/env python3
"""The Python package side by side with pyBKT (C++ build), in one process and one run.

Run with a Python that has both packages (pyBKT from benches/pybkt/setup.sh, pathwise from
`maturin develop --release -m python/Cargo.toml` or `pip install ./python`):

    python benches/python/compare_api.py --out benches/python/results.json

It measures, each with both libraries from their Python API:

  quickstart  pyBKT's README quick start on its sample data (the shared ASSISTments subset as.csv):
              the same calls with only the import changed; training AUC of each, and the gap;
              also pyBKT with its EM run to convergence (its own test stops EM early, see
              pybkt_run_to_convergence) and every model's log-likelihood on the same rows.
  fit         Model(seed=0, num_fits=5).fit(data=DataFrame) on the ASSISTments 2009 split of
              benches/pybkt (AKT folds 2-5 train, fold 1 test), standard and with forgetting:
              wall time from the DataFrame in memory to the fitted model (median of --repeat
              runs), test AUC from each model's predict(); for pathwise also the time spent
              turning the DataFrame into columns.
  online      LearnerState.observe + Recommender.recommend(k=5) per call from Python, on the
              demo curriculum under a model fitted to the demo cohort (pathwise only: pyBKT has
              no online update nor a recommender).

Results: a markdown summary on stdout and JSON (--out).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benches" / "pybkt"))

from compare import prepare_assist, prepare_cohort, shared_datasets_dir  # noqa: E402  (benches/pybkt/compare.py)


def auc(y: np.ndarray, p: np.ndarray) -> float:
    """AUC as the Mann-Whitney U statistic with mid-ranks (the same yardstick for both)."""
    ranks = pd.Series(p).rank().to_numpy()
    positives = int(y.sum())
    negatives = len(y) - positives
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def timed(repeat: int, run):
    """Median wall time of ``repeat`` calls of ``run`` (with the range), the median CPU time of
    the process over each call (every thread, so a library on two threads counts both), and the
    last result."""
    times, cpu, result = [], [], None
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = run()
        times.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return {"median_s": statistics.median(times), "min_s": min(times), "max_s": max(times), "cpu_s": statistics.median(cpu)}, result


#: pyBKT's README quick start on as.csv: (name, Model kwargs, fit kwargs).
QUICKSTART = [
    ("all skills", {"seed": 42, "num_fits": 1}, {}),
    ("Box and Whisker, forgets", {"seed": 42, "num_fits": 1}, {"skills": "Box and Whisker", "forgets": True}),
    ("Box and Whisker, multilearn", {"seed": 42, "num_fits": 1}, {"skills": "Box and Whisker", "multilearn": True}),
    ("both skills, multigs", {"seed": 42, "num_fits": 1}, {"skills": ["Box and Whisker", "Table"], "multigs": True}),
    ("all skills, 5 fits", {"seed": 42, "num_fits": 5}, {}),
]


def bkt_log_likelihood(frame: pd.DataFrame, params: pd.DataFrame, item: str) -> float:
    """The log-likelihood of ``frame`` (each learner's rows in time order) under fitted
    parameters in pyBKT's ``params()`` layout, per-item parameters read from column ``item``: the
    forward algorithm both libraries predict with, written once here so that both models are
    scored by the same code."""
    total = 0.0
    params = params.sort_index()
    for skill, rows in frame.groupby("skill_name", sort=False):
        p = params.loc[skill, "value"]

        def per_row(param: str) -> np.ndarray:
            if param not in p.index.get_level_values(0):
                return np.zeros(len(rows))
            values = p.loc[param]
            if list(values.index) == ["default"]:
                return np.full(len(rows), float(values.iloc[0]))
            return rows[item].astype(str).map(values).to_numpy(dtype=float)

        learn, forget, guess, slip = (per_row(k) for k in ("learns", "forgets", "guesses", "slips"))
        prior = float(p.loc[("prior", "default")])
        users, correct = rows["user_id"].to_numpy(), rows["correct"].to_numpy()
        known = prior
        for t in range(len(rows)):
            if t == 0 or users[t] != users[t - 1]:
                known = prior
            p_correct = known * (1 - slip[t]) + (1 - known) * guess[t]
            total += np.log(p_correct if correct[t] else 1 - p_correct)
            posterior = known * (1 - slip[t]) / p_correct if correct[t] else known * slip[t] / (1 - p_correct)
            known = posterior * (1 - forget[t]) + (1 - posterior) * learn[t]
    return float(total)


def pybkt_run_to_convergence(pybkt_model, init: dict, fit: dict, path: str, iterations: int = 1000):
    """pyBKT's fit with EM run for ``iterations`` iterations instead of its convergence test.
    pyBKT 1.4.3's C++ E-step returns the log-likelihood as an integer (``PyLong_FromLong``), so
    its test (change below 1e-3) stops EM as soon as the integer part repeats, after 7 and 13
    iterations on as.csv."""
    from pyBKT.fit import EM_fit

    original = EM_fit.EM_fit

    def without_early_stop(model, data, tol=None, maxiter=None, parallel=True, fixed={}):
        return original(model, data, tol=-1.0, maxiter=iterations, parallel=parallel, fixed=fixed)

    EM_fit.EM_fit = without_early_stop
    try:
        model = pybkt_model(**init)
        model.fit(data_path=path, **fit)
    finally:
        EM_fit.EM_fit = original
    return model


def quickstart(as_csv: Path, pybkt_model, pathwise_model) -> list[dict]:
    """Training AUC and log-likelihood of each quick-start case, for pyBKT as shipped, pyBKT with
    EM run to convergence, pathwise (defaults) and pathwise with pyBKT's objective (plain maximum
    likelihood)."""
    path = str(as_csv)
    # pyBKT's row order: by order_id, then (stably) by user_id.
    frame = pd.read_csv(path, low_memory=False, encoding="latin").sort_values("order_id").sort_values("user_id", kind="mergesort")
    rows = []
    for name, init, fit in QUICKSTART:
        row = {"case": name}
        models = {}
        for tool, cls, extra in (
            ("pybkt", pybkt_model, {}),
            ("pathwise", pathwise_model, {}),
            ("pathwise_ml", pathwise_model, {"pseudo_counts": 0, "bounds": "none"}),
        ):
            models[tool] = cls(**init, **extra)
            models[tool].fit(data_path=path, **fit)
        models["pybkt_converged"] = pybkt_run_to_convergence(pybkt_model, init, fit, path)
        for tool, model in models.items():
            row[tool] = float(model.evaluate(data_path=path, metric="auc"))
            fitted = frame[frame["skill_name"].isin(model.params().index.get_level_values(0))]
            row[f"{tool}_loglik"] = bkt_log_likelihood(fitted, model.params(), "template_id")
        row["gap"] = row["pathwise"] - row["pybkt"]
        row["gap_ml"] = row["pathwise_ml"] - row["pybkt"]
        row["gap_ml_converged"] = row["pathwise_ml"] - row["pybkt_converged"]
        rows.append(row)
    return rows


def fit_speed(datasets: Path, work: Path, repeat: int, pybkt_model, pathwise_module) -> list[dict]:
    split = prepare_assist(datasets, work)
    train, test = pd.read_csv(split["train"]), pd.read_csv(split["test"])
    rows = []
    for variant, kwargs in (("standard", {}), ("forgets", {"forgets": True})):
        # pyBKT sorts the DataFrame it is given in place: each run gets its own copy, made
        # outside the timed call.
        copies = [train.copy() for _ in range(repeat)]
        pybkt_time, pybkt = timed(repeat, lambda: _fit(pybkt_model(seed=0, num_fits=5), copies.pop(), kwargs))
        ours_time, ours = timed(repeat, lambda: pathwise_module.Model(seed=0, num_fits=5).fit(data=train, **kwargs))
        names = {**pathwise_module.DEFAULTS}
        convert_time, _ = timed(repeat, lambda: pathwise_module._columns.coded_log(train, names, None))
        y = test["correct"].to_numpy()
        pybkt_pred = pybkt.predict(data=test.assign(row=np.arange(len(test)))).sort_values("row")["correct_predictions"].to_numpy()
        ours_pred = ours.predict(data=test)["correct_predictions"].to_numpy()
        rows.append(
            {
                "model": variant,
                "cpu_ratio": pybkt_time["cpu_s"] / ours_time["cpu_s"],
                "train_rows": len(train),
                "test_rows": len(test),
                "pybkt_fit": pybkt_time,
                "pathwise_fit": ours_time,
                "pathwise_conversion": convert_time,
                "speedup": pybkt_time["median_s"] / ours_time["median_s"],
                "pybkt_test_auc": auc(y, pybkt_pred),
                "pathwise_test_auc": auc(y, ours_pred),
            }
        )
    return rows


def conversion(work: Path, repeat: int, pathwise_module) -> dict:
    """Fit from a 1M-row DataFrame (the generated cohort of benches/pybkt) and from the same data
    as a pyarrow Table: the whole fit and the part spent turning columns into codes."""
    import pyarrow as pa

    train = pd.read_csv(prepare_cohort(work / "cohort", 1_000_000, 0)["train"])
    table = pa.Table.from_pandas(train, preserve_index=False)
    names = {**pathwise_module.DEFAULTS}
    out = {"rows": len(train)}
    for kind, data in (("pandas", train), ("pyarrow", table)):
        fit_time, _ = timed(repeat, lambda: pathwise_module.Model(seed=0, num_fits=5).fit(data=data))
        convert_time, _ = timed(repeat, lambda: pathwise_module._columns.coded_log(data, names, None))
        out[kind] = {"fit": fit_time, "conversion": convert_time}
    return out


def _fit(model, data, kwargs):
    model.fit(data=data, **kwargs)
    return model


def online(pathwise_module, calls: int) -> dict:
    cohort = pd.read_csv(ROOT / "datasets" / "demo" / "cohort.csv")
    columns = {"user_id": "learner", "skill_name": "skill", "order_id": "order"}
    model = pathwise_module.Model(seed=1).fit(cohort, defaults=columns)
    graph = pathwise_module.load_graph(ROOT / "datasets" / "demo" / "curriculum.toml")
    recommender = pathwise_module.Recommender(graph, model)
    skills = graph.skills
    rng = np.random.default_rng(0)
    picks = [(skills[int(i)], bool(c)) for i, c in zip(rng.integers(len(skills), size=calls), rng.random(calls) < 0.7)]
    state = pathwise_module.LearnerState(model)
    start = time.perf_counter()
    for skill, correct in picks:
        state.observe(skill, correct)
    observe = (time.perf_counter() - start) / calls
    state = pathwise_module.LearnerState(model)
    start = time.perf_counter()
    for skill, correct in picks:
        state.observe(skill, correct)
        recommender.recommend(state, 5)
    both = (time.perf_counter() - start) / calls
    return {
        "calls": calls,
        "skills": len(skills),
        "activities": graph.n_activities,
        "observe_us": observe * 1e6,
        "observe_recommend_us": both * 1e6,
    }


def markdown(result: dict) -> str:
    m = result.get("machine", {})
    lines = [
        f"machine: {m.get('cpus')} CPUs, Python {m.get('python')}, OMP_NUM_THREADS={m.get('omp_threads')}, "
        f"OMP_WAIT_POLICY={m.get('omp_wait_policy')}, RAYON_NUM_THREADS={m.get('rayon_threads')}",
    ]
    for part, when in result.get("measured", {}).items():
        lines.append(
            f"{part}: measured {when['utc']} UTC, 1-minute load average {when['load_average_before']} before, "
            f"{when['load_average_after']} after (other processes slow both libraries' wall times)"
        )
    lines.append("")
    if "quickstart" in result:
        lines += [
            "quick start (training AUC, as.csv):",
            "",
            "| case | pyBKT | pathwise (defaults) | gap | pathwise (pseudo_counts=0, bounds='none') | gap |",
            "|---|--:|--:|--:|--:|--:|",
        ]
        for r in result["quickstart"]:
            lines.append(
                f"| {r['case']} | {r['pybkt']:.4f} | {r['pathwise']:.4f} | {r['gap']:+.4f} | "
                f"{r['pathwise_ml']:.4f} | {r['gap_ml']:+.4f} |"
            )
        lines += [
            "",
            "the same cases with pyBKT's EM run to convergence (1000 iterations), and the log-likelihood of",
            "each fitted model on the same rows (one forward pass, bkt_log_likelihood):",
            "",
            "| case | pyBKT converged AUC | pathwise ML − converged | LL pyBKT | LL pyBKT converged | LL pathwise | LL pathwise ML |",
            "|---|--:|--:|--:|--:|--:|--:|",
        ]
        for r in result["quickstart"]:
            lines.append(
                f"| {r['case']} | {r['pybkt_converged']:.4f} | {r['gap_ml_converged']:+.4f} | {r['pybkt_loglik']:.2f} | "
                f"{r['pybkt_converged_loglik']:.2f} | {r['pathwise_loglik']:.2f} | {r['pathwise_ml_loglik']:.2f} |"
            )
    if "fit" in result:
        lines += [
            "",
            "fit from a DataFrame (ASSISTments 2009 split):",
            "",
            "| model | pyBKT fit s | pathwise fit s | of which columns s | speed-up | CPU s pyBKT / pathwise | pyBKT test AUC | pathwise test AUC |",
            "|---|--:|--:|--:|--:|--:|--:|--:|",
        ]
        for r in result["fit"]:
            p, q, c = r["pybkt_fit"], r["pathwise_fit"], r["pathwise_conversion"]
            lines.append(
                f"| {r['model']} | {p['median_s']:.2f} ({p['min_s']:.2f}–{p['max_s']:.2f}) | "
                f"{q['median_s']:.3f} ({q['min_s']:.3f}–{q['max_s']:.3f}) | {c['median_s']:.3f} | "
                f"{r['speedup']:.1f}× | {p.get('cpu_s', float('nan')):.2f} / {q.get('cpu_s', float('nan')):.3f} "
                f"({r.get('cpu_ratio', float('nan')):.1f}×) | {r['pybkt_test_auc']:.4f} | {r['pathwise_test_auc']:.4f} |"
            )
        lines += [
            "",
            "speed-up: pyBKT's median wall time over pathwise's, each from the DataFrame in memory to the fitted",
            "model; CPU s: median CPU time of the process per fit (all threads), less sensitive to other load.",
        ]
    if "conversion" in result:
        c = result["conversion"]
        lines += ["", f"fit from {c['rows']:,} rows in memory (pathwise, standard BKT, 5 fits):", ""]
        for kind in ("pandas", "pyarrow"):
            f, v = c[kind]["fit"]["median_s"], c[kind]["conversion"]["median_s"]
            lines.append(f"- {kind}: whole fit {f:.3f} s, of which columns to codes {v:.3f} s ({100 * v / f:.0f}%)")
    if "online" in result:
        o = result["online"]
        lines += [
            "",
            f"online, per call from Python ({o['calls']} calls, {o['skills']} skills, {o['activities']} activities): "
            f"observe {o['observe_us']:.1f} µs, observe + recommend(k=5) {o['observe_recommend_us']:.1f} µs",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets-dir", help="the shared datasets (default ../shared/datasets beside the workspace)")
    parser.add_argument("--workdir", default=None, help="where the split CSVs go (default: a temporary folder)")
    parser.add_argument("--repeat", type=int, default=3, help="fits per tool and model (median reported)")
    parser.add_argument("--calls", type=int, default=20000, help="observe/recommend calls")
    parser.add_argument("--out", help="write the results as JSON here (with --only: update those parts of it)")
    parser.add_argument("--only", help="comma-separated parts to run: quickstart,fit,online,conversion (default all)")
    args = parser.parse_args()

    os.environ.setdefault("OMP_NUM_THREADS", str(os.cpu_count() or 1))
    import pyBKT.fit.E_step as e_step
    from pyBKT.models import Model as PyBKTModel

    import pathwise

    if not str(getattr(e_step, "__file__", "")).endswith(".so"):
        sys.exit("pyBKT's E_step is not the compiled module: run benches/pybkt/setup.sh")
    datasets = shared_datasets_dir(args.datasets_dir)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(args.workdir or tmp)
        parts = {
            "quickstart": lambda: quickstart(
                datasets / "assistments2009_skillbuilder_pybkt_subset" / "as.csv", PyBKTModel, pathwise.Model
            ),
            "fit": lambda: fit_speed(datasets, work, args.repeat, PyBKTModel, pathwise),
            "online": lambda: online(pathwise, args.calls),
            "conversion": lambda: conversion(work, args.repeat, pathwise),
        }
        chosen = args.only.split(",") if args.only else list(parts)
        unknown = sorted(set(chosen) - set(parts))
        if unknown:
            sys.exit(f"--only: unknown parts {unknown}; choose from {', '.join(parts)}")
        result = {}
        if args.only and args.out and Path(args.out).is_file():
            result = json.loads(Path(args.out).read_text())
        for name in chosen:
            before = os.getloadavg()
            result[name] = parts[name]()
            result.setdefault("measured", {})[name] = {
                "utc": time.strftime("%Y-%m-%d %H:%M", time.gmtime()),
                "load_average_before": round(before[0], 2),
                "load_average_after": round(os.getloadavg()[0], 2),
            }
        result["machine"] = {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "omp_threads": os.environ["OMP_NUM_THREADS"],
            "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", "(unset: spinning)"),
            "rayon_threads": os.environ.get("RAYON_NUM_THREADS", f"(unset: {os.cpu_count()})"),
        }
    print(markdown(result))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1) + "\n")


if __name__ == "__main__":
    main()
