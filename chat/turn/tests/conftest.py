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
    """The names of the engine's thread hops (database_sync_to_async, later_hop), in the order they are made."""
    hops = []

    def counting(real):
        def hop(fn):
            hops.append(getattr(fn, "__name__", type(fn).__name__))
            return real(fn)

        return hop

    for name in ("database_sync_to_async", "later_hop"):
        monkeypatch.setattr(engine_module, name, counting(getattr(engine_module, name)))
    return hops
