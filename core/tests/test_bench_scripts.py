"""`make bench`'s quick scripts still run against today's code (they are never timed in the suite; this only checks
that they start, finish and print their comparison)."""

import os
import subprocess
import sys

import pytest

from core.tests.live_server import REPO

pytestmark = pytest.mark.timeout(120)


@pytest.mark.parametrize(
    ("script", "args", "expected"),
    [
        ("turn_latency.py", ["--turns", "2"], "engine/bare median ratio"),
        ("tool_schema_tokens.py", [], "tool schemas:"),
        ("model_client_cost.py", ["--bursts", "3", "--rounds", "1"], "chunks not merged"),
    ],
)
def test_the_bench_script_runs(script, args, expected):
    done = subprocess.run(
        [sys.executable, f"bench/{script}", *args], cwd=REPO, capture_output=True, text=True, timeout=110
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert expected in done.stdout


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="compares channel layers on Redis (REDIS_URL)")
def test_the_channel_layer_bench_compares_both_layers():
    done = subprocess.run(
        [sys.executable, "bench/channel_layer_cost.py", "--ops", "20", "--rounds", "1"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=110,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    assert "group send, empty group" in done.stdout and "skipped" not in done.stdout
