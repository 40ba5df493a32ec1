#!/usr/bin/env python3
"""pathwise.spark's fit on local Spark against the single-machine fit, in one run.

Run with a Python that has pathwise (`maturin develop --release -m python/Cargo.toml`) and
pyspark, Java 17 on the machine:

    python benches/python/spark_fit.py --master 'local[2]' --out spark_fit.json

On the ASSISTments 2009 skill builder (../shared/datasets/assistments2009_skillbuilder_akt, every
fold: 325,589 rows, 4,150 learners, 110 skills; columns as benches/pybkt prepares them) it times,
median of --repeat runs each:

  one machine   pathwise.Model(seed=0, num_fits=5).fit(data=DataFrame)
  spark fit     pathwise.spark.fit(spark DataFrame), one task per skill (the DataFrame cached
                in Spark beforehand; the session start and the pandas-to-Spark copy are timed
                apart, once)
  large skill   the largest skill alone: one machine, and pathwise.spark.fit_large_skill over
                --partitions partitions of its learners (one Spark job per EM round)

and checks that the models agree (largest parameter difference). Prints a markdown summary with
the load average; --out writes the figures as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benches" / "pybkt"))

from compare import shared_datasets_dir  # noqa: E402  (benches/pybkt/compare.py)
from compare_api import timed  # noqa: E402  (beside this file)

import pathwise  # noqa: E402
import pathwise.spark  # noqa: E402


def assistments(datasets: Path) -> pd.DataFrame:
    """The whole ASSISTments 2009 skill builder with pyBKT's column names (every fold)."""
    folder = datasets / "assistments2009_skillbuilder_akt"
    raw = pd.concat([pd.read_csv(folder / f"interactions_long_part0{k}.csv") for k in (1, 2)], ignore_index=True)
    raw = raw.sort_values(["user_id", "seq_idx"], kind="mergesort").reset_index(drop=True)
    return pd.DataFrame({
        "order_id": np.arange(len(raw), dtype=np.int64),
        "user_id": raw["user_id"].astype(np.int64),
        "skill_name": "s" + raw["skill_idx"].astype(str),
        "correct": raw["correct"].astype(np.int64),
    })


def largest_difference(a: pathwise.Model, b: pathwise.Model) -> float:
    pa, pb = a.params(), b.params()
    assert list(pa.index) == list(pb.index), "the models have different parameters"
    return float(np.abs(pa["value"].to_numpy() - pb["value"].to_numpy()).max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--datasets", help="the shared datasets folder (default: ../shared/datasets)")
    parser.add_argument("--out", help="write the figures as JSON here")
    args = parser.parse_args()

    from pyspark.sql import SparkSession

    df = assistments(shared_datasets_dir(args.datasets))
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    start = time.perf_counter()
    spark = (
        SparkSession.builder.master(args.master)
        .appName("pathwise-spark-bench")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    session_s = time.perf_counter() - start
    start = time.perf_counter()
    sdf = spark.createDataFrame(df).cache()
    sdf.count()
    copy_s = time.perf_counter() - start

    settings = dict(seed=0, num_fits=5)
    local_t, local = timed(args.repeat, lambda: pathwise.Model(**settings).fit(data=df))
    spark_t, fitted = timed(args.repeat, lambda: pathwise.spark.fit(sdf, **settings))
    skill = df["skill_name"].value_counts().index[0]
    skill_rows = int((df["skill_name"] == skill).sum())
    one_t, one = timed(args.repeat, lambda: pathwise.Model(**settings).fit(data=df, skills=[skill]))
    large_t, large = timed(
        args.repeat, lambda: pathwise.spark.fit_large_skill(sdf, skill, partitions=args.partitions, **settings)
    )
    spark.stop()

    figures = {
        "master": args.master,
        "rows": len(df),
        "learners": int(df["user_id"].nunique()),
        "skills": int(df["skill_name"].nunique()),
        "load_average_1_5_15": list(os.getloadavg()),
        "session_start_s": session_s,
        "pandas_to_spark_s": copy_s,
        "one_machine_fit": local_t,
        "spark_fit": spark_t,
        "spark_vs_one_machine_max_param_difference": largest_difference(fitted, local),
        "spark_vs_one_machine_same_fingerprint": fitted.fingerprint == local.fingerprint,
        "large_skill": skill,
        "large_skill_rows": skill_rows,
        "large_skill_partitions": args.partitions,
        "large_skill_one_machine": one_t,
        "large_skill_spark": large_t,
        "large_skill_max_param_difference": largest_difference(large, one),
        # EM rounds of the best restart: each round of the partitioned fit is one Spark job.
        "large_skill_em_iterations": json.loads(large.to_json())["fit"]["iterations"],
    }
    load = ", ".join(f"{x:.2f}" for x in figures["load_average_1_5_15"])
    print(f"ASSISTments 2009 skill builder: {len(df):,} rows, {figures['learners']:,} learners, "
          f"{figures['skills']} skills; Spark {args.master}; load average {load}")
    print(f"Spark session start {session_s:.1f} s, pandas to Spark (cached) {copy_s:.1f} s\n")
    print("| fit | one machine | local Spark | largest parameter difference |")
    print("|---|---|---|---|")
    print(f"| every skill (one task per skill) | {local_t['median_s']:.3f} s | {spark_t['median_s']:.2f} s | "
          f"{figures['spark_vs_one_machine_max_param_difference']:.1e} (same fingerprint: "
          f"{figures['spark_vs_one_machine_same_fingerprint']}) |")
    print(f"| largest skill {skill} ({skill_rows:,} rows), {args.partitions} partitions | "
          f"{one_t['median_s']:.3f} s | {large_t['median_s']:.2f} s | {figures['large_skill_max_param_difference']:.1e} |")
    print(f"\nThe partitioned fit took {figures['large_skill_em_iterations']} EM rounds (best restart), "
          "one Spark job each.")
    if args.out:
        Path(args.out).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
