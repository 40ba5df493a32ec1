#!/usr/bin/env python3
"""Stores LEARNERS learners with EVENTS events each in a running `pathwise serve`, in batches of
1,000 events (benches/README.md). Usage: populate.py URL ITEMS_FILE LEARNERS EVENTS"""
import json
import random
import sys
import urllib.request

url, items_file, learners, per_learner = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
items = [line.strip() for line in open(items_file) if line.strip()]
rng = random.Random(0)
batch = []


def flush():
    body = json.dumps(batch).encode()
    req = urllib.request.Request(url + "/v1/events", body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as reply:
        assert json.load(reply)["recorded"] == len(batch)
    batch.clear()


for learner in range(learners):
    for n in range(per_learner):
        batch.append({"id": f"p{learner}-{n}", "learner": f"L{learner}", "item": rng.choice(items),
                      "correct": rng.random() < 0.7, "time": 1600000000000 + n})
        if len(batch) == 1000:
            flush()
if batch:
    flush()
