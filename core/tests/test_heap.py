"""core.heap: the served process freezes its start-up heap, and the collector still frees what comes later."""

import json

from core.heap import YOUNG_THRESHOLD
from core.tests.processes import run_python


def test_the_asgi_process_freezes_its_startup_heap():
    code = (
        "import gc, json\n"
        "before = gc.get_freeze_count()\n"
        "import config.asgi\n"
        "print(json.dumps([before, gc.get_freeze_count(), gc.get_threshold()[0]]))"
    )
    result = run_python(code, settings="config.settings.test")
    assert result.returncode == 0, result.stderr
    before, frozen, young = json.loads(result.stdout.splitlines()[-1])
    assert before == 0
    assert frozen > 50_000  # Django, the apps and the model client: out of the collector's scans
    assert young == YOUNG_THRESHOLD


def test_cycles_made_after_the_freeze_are_still_collected():
    code = (
        "import gc, weakref\n"
        "from core.heap import freeze_startup_heap\n"
        "freeze_startup_heap()\n"
        "class Node: pass\n"
        "a, b = Node(), Node()\n"
        "a.other, b.other = b, a\n"
        "gone = weakref.ref(a)\n"
        "del a, b\n"
        "gc.collect()\n"
        "print(gone() is None)"
    )
    result = run_python(code, settings="config.settings.test")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "True"
