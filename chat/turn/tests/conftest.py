import pytest

from chat.turn import engine as engine_module


@pytest.fixture
def tokyo(user):
    """The user in Asia/Tokyo: at the modules' INSTANT (Thursday 20:00 UTC) it is already Friday there."""
    user.timezone = "Asia/Tokyo"
    user.save()
    return user


@pytest.fixture
def engine_hops(monkeypatch) -> list:
    """The names of the engine's thread hops (database_sync_to_async), in the order they are made."""
    hops = []
    real = engine_module.database_sync_to_async

    def counting(fn):
        hops.append(getattr(fn, "__name__", type(fn).__name__))
        return real(fn)

    monkeypatch.setattr(engine_module, "database_sync_to_async", counting)
    return hops
