import pytest

from chat.turn import engine as engine_module
from chat.turn import start as start_module


@pytest.fixture
def tokyo(user):
    """The user in Asia/Tokyo: at the modules' INSTANT (Thursday 20:00 UTC) it is already Friday there."""
    user.timezone = "Asia/Tokyo"
    user.save()
    return user


@pytest.fixture
def engine_hops(monkeypatch) -> list:
    """The names of a turn's thread hops (its first, then the engine's later ones), in the order they are made."""
    hops = []

    def counting(real):
        def hop(fn):
            hops.append(getattr(fn, "__name__", type(fn).__name__))
            return real(fn)

        return hop

    for module, name in ((start_module, "database_sync_to_async"), (engine_module, "later_hop")):
        monkeypatch.setattr(module, name, counting(getattr(module, name)))
    return hops
