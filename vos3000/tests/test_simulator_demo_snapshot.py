"""A demo reset after the first copies the first one's rows back instead of pricing
thousands of calls again: the result must be the same store, row for row."""

from vos3000.simulator.app import start_simulator


def _rows(handle):
    with handle.sim.transaction() as ctx:
        return handle.sim.store.snapshot(ctx.db)


def test_it_restores_the_demo_exactly_as_it_was_built():
    handle = start_simulator(port=0)
    try:
        handle.control("reset", demo=True)
        built = _rows(handle)
        handle.control("create_phone_cards", count=3, value=1)  # state that must go away
        handle.control("reset", demo=True)
        assert _rows(handle) == built
        assert sum(len(rows) for rows in built.values()) > 1000
    finally:
        handle.stop()


def test_it_brings_the_demo_phones_online_after_a_restore_too():
    handle = start_simulator(port=0)
    try:
        handle.control("reset", demo=True)
        online = set(handle.sim.registrations)
        assert "80001001" in online
        handle.control("reset", demo=True)  # from the snapshot this time
        assert set(handle.sim.registrations) == online
    finally:
        handle.stop()
