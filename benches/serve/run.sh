#!/usr/bin/env bash
# Load test of `pathwise serve` with wrk (benches/README.md): the demo model and curriculum,
# LEARNERS learners stored (EVENTS each), then durable posts of single events and next-activity
# requests, each for DURATION with CONNECTIONS connections. Usage, from the repository root:
#   benches/serve/run.sh [PATHWISE_BINARY]     (default target/release/pathwise)
set -euo pipefail
cd "$(dirname "$0")/../.."
pathwise="${1:-target/release/pathwise}"
learners="${LEARNERS:-100000}"
events="${EVENTS:-5}"
duration="${DURATION:-20s}"
connections="${CONNECTIONS:-64}"
threads="${THREADS:-2}"
here=benches/serve

work="$(mktemp -d)"
server=""
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

"$pathwise" -q demo -o "$work/demo" >/dev/null
sed -n '/^\[\[activity\]\]/,/^id/s/^id = "\(.*\)"/\1/p' "$work/demo/curriculum.toml" >"$work/items"
"$pathwise" serve --model "$work/demo/model.json" --graph "$work/demo/curriculum.toml" \
    --state "$work/events.db" --listen 127.0.0.1:0 --no-auth 2>"$work/serve.log" &
server=$!
until grep -q "listening on" "$work/serve.log"; do sleep 0.1; done
url="$(sed -n 's/^pathwise: listening on //p' "$work/serve.log")"

echo "== storing $learners learners x $events events"
time python3 "$here/populate.py" "$url" "$work/items" "$learners" "$events"

echo "== durable posts, one event each, $connections connections, load: $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/post_events.lua" "$url" \
    -- "$work/items" "$learners"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"

echo "== next activity, k=3, $connections connections, load: $(cut -d' ' -f1-3 /proc/loadavg)"
wrk -t"$threads" -c"$connections" -d"$duration" --latency -s "$here/next.lua" "$url" -- "$learners"
echo "== load after: $(cut -d' ' -f1-3 /proc/loadavg)"
curl -s "$url/metrics" | grep -E '^pathwise_(events_recorded|commits|committed_changes|next_requests|learners)'
