"""`make bench`'s quick scripts still run against today's code (they are never timed in the suite; this only checks
that they start, finish and print their comparison)."""

import argparse
import asyncio
import importlib.util
import math
import os
import subprocess
import sys

import pytest

from core.tests.live_server import REPO

pytestmark = pytest.mark.timeout(120)


def _load_bench_script(name: str):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", REPO / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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


def test_the_load_bench_runs_daphne_as_deploy_does():
    """Same listen backlog and options as the systemd unit and the supervisor file: among them a websocket gets
    30 s to be accepted (daphne's own 5 s rejected sockets opened during a burst of hundreds)."""
    import shlex

    load = _load_bench_script("load")
    unit = (REPO / "deploy" / "daphne@.service").read_text().replace("\\\n", " ")
    supervisor = (REPO / "deploy" / "supervisor.conf").read_text()
    commands = [
        next(line.split("=", 1)[1] for line in unit.splitlines() if line.startswith("ExecStart=")),
        next(line.split("=", 1)[1] for line in supervisor.splitlines() if line.startswith("command=")),
    ]
    for command in commands:
        words = shlex.split(command)
        assert words[1:3] == ["-m", "core.serve"]  # daphne on uvloop, as the bench runs it
        assert words[3] == "-e" and words[4].endswith(":backlog=1024")
        assert words[5:-1] == load.DAPHNE_OPTIONS and words[-1] == "config.asgi:application"
    assert load.DAPHNE_OPTIONS[load.DAPHNE_OPTIONS.index("--websocket_connect_timeout") + 1] == "30"
    assert load.daphne_endpoint(8001).endswith(":backlog=1024")


def test_the_load_bench_reads_as_many_streams_with_the_bare_sdk():
    """Its reference for each level: the same number of streams from the same upstream through the bare SDK, each
    measured against the upstream's own timings of that stream."""
    load = _load_bench_script("load")
    command = [
        sys.executable,
        "bench/upstream.py",
        "--rate",
        "500",
        "--tokens",
        "60",
        "--tokens-per-chunk",
        "3",
    ]
    upstream = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    args = argparse.Namespace(kinds="ws,sse", tokens=60, rate=500.0, processes=1, use_env_stores=True)
    bench = load.Bench(args)
    try:
        bench.upstream = f"http://127.0.0.1:{upstream.stdout.readline().split()[1]}"
        bench.daphnes = []  # none: nothing to wait for before the level
        result = asyncio.run(bench.bare_level(3))
    finally:
        upstream.terminate()
        upstream.wait(timeout=10)
        bench.tmp.cleanup()

    assert result["failed"] == 0, result["errors"]
    assert len(result["ratio"]) == 6  # three of each kind of chat: six streams, each timed by the upstream
    assert all(0.95 < ratio < 10 for ratio in result["ratio"])
    assert len(result["added"]) == 6 and all(0 < added < 1 for added in result["added"])


SQLITE_RUN = """\
level streams   added TTFT ms p50/p95   over pace ms p50/p95  × pace p50/p95  failed  CPU ms/turn  to model p50       ws / SSE  load
    1       2      5.0 /    13.4        9.4 /    17.0    1.00 /  1.02       0         15.0           4.5     4.5/13.1    0.30
   10      20     83.9 /   121.4       88.7 /   125.2    1.14 /  1.19       2         14.0          83.0    42.2/94.3    0.30
   25      50      nan /     nan        nan /     nan     nan /   nan      50         30.5           nan      nan/nan      0.31
load average at the end: 0.46 0.43 0.35
"""


def test_the_ab_bench_reads_each_level_of_a_load_run():
    ab = _load_bench_script("ab")
    rows = ab.parse_levels(SQLITE_RUN)

    assert rows[:2] == [
        {"level": 1, "pace": 1.00, "failed": 0, "cpu": 15.0},
        {"level": 10, "pace": 1.14, "failed": 2, "cpu": 14.0},
    ]
    # A level whose turns all failed is kept (no percentiles), so the levels after it stay aligned.
    assert rows[2]["level"] == 25 and rows[2]["failed"] == 50 and math.isnan(rows[2]["pace"])
    assert len(rows) == 3


def test_the_ab_table_gives_each_run_their_mean_and_head_over_base():
    ab = _load_bench_script("ab")
    base = [
        [{"level": 10, "pace": 1.2, "failed": 0, "cpu": 20.0}],
        [{"level": 10, "pace": 1.4, "failed": 0, "cpu": 22.0}],
    ]
    head = [
        [{"level": 10, "pace": 1.1, "failed": 1, "cpu": 15.0}],
        [{"level": 10, "pace": 1.1, "failed": 0, "cpu": 17.0}],
    ]

    lines = ab.table({"base": base, "head": head}, [10])

    assert "1.20 1.40" in lines[1] and " 1.30 " in lines[1] and "21.0" in lines[1]
    assert "1.10 1.10" in lines[2] and "(1 failed)" in lines[2]
    assert lines[3].strip() == "head / base: × pace 0.846, CPU 0.762"


@pytest.mark.parametrize(
    ("database", "redis"),
    [
        ("postgres://postgres@127.0.0.1:5432/todo_assistant", "redis://127.0.0.1:6379/7"),
        ("postgres://postgres@127.0.0.1:5432/bench_ab", "redis://127.0.0.1:6379/0"),
        ("postgres://postgres@127.0.0.1:5432/bench_ab", "redis://127.0.0.1:6379"),
    ],
)
def test_the_ab_bench_empties_only_scratch_stores(database, redis):
    ab = _load_bench_script("ab")

    with pytest.raises(SystemExit, match="scratch"):
        ab.scratch_names({"DATABASE_URL": database, "REDIS_URL": redis})


def test_the_ab_bench_takes_scratch_stores():
    ab = _load_bench_script("ab")
    env = {
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/bench_ab",
        "REDIS_URL": "redis://127.0.0.1:6379/7",
    }

    assert ab.scratch_names(env) == ("bench_ab", "redis://127.0.0.1:6379/7")
