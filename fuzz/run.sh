#!/usr/bin/env bash
# Builds the fuzz targets, then runs them one at a time, each for SECONDS (default 600), at the
# lowest priority:
#   fuzz/run.sh [SECONDS] [TARGET...]        (no TARGET: every target)
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Each target's corpus
# grows in fuzz/corpus/<target> (the committed seeds in fuzz/seeds/<target> are only read),
# inputs that crash, hang or exhaust memory land in fuzz/artifacts/<target>/, and libFuzzer's
# output in fuzz/logs/<target>.log, whose last status line has the totals (docs/fuzzing.md).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(log_csv log_dkt log_parquet graph_toml graph_json graph_table model_json credential key_file)
fi
# No sanitizer (the crates forbid unsafe code; panics and arithmetic overflow are what is sought),
# with debug assertions and overflow checks on.
build=(cargo +nightly fuzz build --sanitizer none --debug-assertions)
nice -n 19 "${build[@]}"
if [[ " ${targets[*]} " == *" log_parquet "* ]]; then
    nice -n 19 "${build[@]}" --features parquet log_parquet
fi
bin="${CARGO_TARGET_DIR:-target}/x86_64-unknown-linux-gnu/release"
mkdir -p logs
for target in "${targets[@]}"; do
    mkdir -p "corpus/$target" "artifacts/$target"
    # -fork=1 with -ignore_*: a crash, time-out or out-of-memory input is saved and the run goes
    # on to the end, so one run finds every defect it can reach.
    nice -n 19 "$bin/$target" "corpus/$target" "seeds/$target" \
        -artifact_prefix="artifacts/$target/" -max_total_time="$seconds" -timeout=10 \
        -rss_limit_mb=2048 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        >"logs/$target.log" 2>&1 || true
    echo "$target: $(grep -E '^#[0-9]+' "logs/$target.log" | tail -n 1)"
done
