"""`make bench`'s quick scripts still run against today's code (they are never timed in the suite; this only checks
that they start, finish and print their comparison)."""

import argparse
import asyncio
import importlib.util
import os
import subprocess
import sys

import pytest

from core.tests.live_server import REPO

pytestmark = pytest.mark.timeout(120)


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_load", REPO / "bench" / "load.py")
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
    return load


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

    load = _load_bench()
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
    load = _load_bench()
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
