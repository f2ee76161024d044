"""The test-run diagnostic: a loop whose tasks will not finish when cancelled names them."""

import asyncio
import asyncio.runners

from core.tests import loop_teardown


def test_a_slow_loop_close_names_its_pending_task(monkeypatch, capsys):
    monkeypatch.setattr(loop_teardown, "SLOW_SECONDS", 0.1)
    loop = asyncio.new_event_loop()

    async def stubborn():
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            await asyncio.sleep(0.5)  # ignores the cancel for a while, as a hung cleanup would

    loop.run_until_complete(asyncio.sleep(0))
    task = loop.create_task(stubborn(), name="stubborn-task")
    loop.run_until_complete(asyncio.sleep(0))
    asyncio.runners._cancel_all_tasks(loop)
    loop.close()

    err = capsys.readouterr().err
    assert task.done() and "still closing" in err and "stubborn-task" in err and "stubborn" in err
