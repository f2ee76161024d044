"""The test-run diagnostic: a loop whose tasks will not finish when cancelled names them and closes anyway."""

import asyncio
import asyncio.runners

from core.tests import loop_teardown


def test_a_loop_whose_task_ignores_cancel_names_it_and_closes(monkeypatch, capsys):
    monkeypatch.setattr(loop_teardown, "GIVE_UP_SECONDS", 0.1)
    loop = asyncio.new_event_loop()

    async def stubborn():
        while True:
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                continue  # swallows every cancel, as a hung cleanup would

    async def polite():
        await asyncio.sleep(3600)

    stuck = loop.create_task(stubborn(), name="stubborn-task")
    fine = loop.create_task(polite(), name="polite-task")
    loop.run_until_complete(asyncio.sleep(0))
    asyncio.runners._cancel_all_tasks(loop)
    loop.close()

    err = capsys.readouterr().err
    assert fine.cancelled() and not stuck.done()
    assert "1 task(s) still running" in err and "stubborn-task" in err and "polite-task" not in err
