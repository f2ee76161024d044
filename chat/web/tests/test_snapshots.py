"""Live snapshots in the in-process cache: kept as built, read back until they expire."""

from chat.web.snapshots import _InProcessSnapshots


def test_a_snapshot_is_read_back_until_it_expires():
    store = _InProcessSnapshots()
    store.set("live", {"seq": 3}, timeout=60)
    store.set("gone", {"seq": 1}, timeout=0)

    assert store.get("live") == {"seq": 3}
    assert store.get("gone") is None and store.get("never") is None


def test_expired_snapshots_are_forgotten_once_there_are_many():
    store = _InProcessSnapshots()
    for n in range(1000):
        store.set(f"old-{n}", {"seq": n}, timeout=0)
    store.set("new", {"seq": 1}, timeout=60)

    assert list(store._items) == ["new"]
