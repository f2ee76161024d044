"""core.serve: daphne's event loop is uvloop's when uvloop is installed, asyncio's otherwise; daphne's own command
line is untouched. (Every live-server test runs daphne through it.)"""

import subprocess
import sys

from core.tests.processes import BASE_DIR, run_python

LOOP_OF_DAPHNE = (
    "import core.serve\n"
    "print(core.serve.use_uvloop())\n"
    "import daphne.server\n"
    "print(type(daphne.server.twisted_loop).__module__)\n"
)


def test_daphne_runs_on_uvloops_loop():
    result = run_python(LOOP_OF_DAPHNE, settings="config.settings.test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "uvloop"]


def test_without_uvloop_daphne_runs_on_asyncios_loop():
    result = run_python(
        "import sys\nsys.modules['uvloop'] = None\n" + LOOP_OF_DAPHNE, settings="config.settings.test"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "asyncio.unix_events"]


def test_it_takes_daphnes_arguments():
    result = subprocess.run(
        [sys.executable, "-m", "core.serve", "--help"],
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "--websocket_connect_timeout" in result.stdout and "application" in result.stdout
