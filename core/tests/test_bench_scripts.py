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


def test_the_load_bench_runs_daphne_as_deploy_does():
    """Same listen backlog and options as the systemd unit and the supervisor file: among them a websocket gets
    30 s to be accepted (daphne's own 5 s rejected sockets opened during a burst of hundreds)."""
    import importlib.util
    import shlex

    spec = importlib.util.spec_from_file_location("bench_load", REPO / "bench" / "load.py")
    load = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(load)
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
