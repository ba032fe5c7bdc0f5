"""The runner reads locust's final JSON statistics and computes percentiles itself (it
must not import locust: gevent would patch its threads). The figures must be locust's."""

from __future__ import annotations

import json
import random
import subprocess
import sys

from loadtests import stats


def test_percentiles_equal_locusts_own():
    rng = random.Random(7)
    cases = []
    for _ in range(30):
        histogram = {rng.choice((1, 3, 12, 40, 95, 100, 110, 270, 1400, 9000)): rng.randint(1, 50) for _ in range(6)}
        cases.append((histogram, sum(histogram.values()), rng.choice((0.5, 0.95, 0.99, 0.999, 1.0))))
    script = (
        "import json, sys; from locust.stats import calculate_response_time_percentile as p; "
        "print(json.dumps([p({int(k): v for k, v in h.items()}, n, s) for h, n, s in json.load(sys.stdin)]))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(cases), capture_output=True, text=True, check=True
    )
    assert json.loads(done.stdout) == [stats.percentile(h, n, s) for h, n, s in cases]


def test_rows_add_up_and_the_last_second_is_not_lost(tmp_path):
    entry = {
        "method": "POST",
        "name": "AddMessage",
        "start_time": 100.0,
        "last_request_timestamp": 100.4,
        "num_requests": 40,
        "num_failures": 1,
        "total_response_time": 400,
        "response_times": {"8": 30, "20": 9, "300": 1},
    }
    other = dict(
        entry,
        name="GetUserProfile",
        num_requests=10,
        num_failures=0,
        total_response_time=50,
        last_request_timestamp=100.5,
        response_times={"5": 10},
    )
    (tmp_path / "locust.json").write_text(json.dumps([entry, other]))
    rows = {r["Name"]: r for r in stats.read(tmp_path)}
    assert rows["AddMessage"]["Request Count"] == 40 and rows["AddMessage"]["99%"] == 300
    assert rows["AddMessage"]["Requests/s"] == 80.0 and rows["Aggregated"]["Requests/s"] == 100.0
    assert rows["Aggregated"]["Failure Count"] == 1 and rows["Aggregated"]["50%"] == 8
