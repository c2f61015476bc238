"""One thread harness for the PostgreSQL concurrency tests.

Each callable runs in its own thread with its own database connection; all start together
(a barrier), and each thread closes its connection when done so the test database can be
dropped at teardown without "being accessed by other users" warnings.

    results = run_concurrently(lambda: book(...), lambda: book(...))
    assert sorted(r.ok for r in results) == [False, True]
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection, connections

requires_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: real row locks and constraints across concurrent connections",
)


@dataclass
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def run_concurrently(*callables: Callable[[], Any], timeout: float = 30) -> list[Outcome]:
    """Run each callable in its own thread, started together; returns one Outcome each, in order.

    Exceptions are captured, not raised: the test decides which outcomes it expects.
    """
    barrier = threading.Barrier(len(callables))
    outcomes = [Outcome() for _ in callables]

    def runner(index: int, fn: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[index].value = fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            outcomes[index].error = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner, args=(i, fn)) for i, fn in enumerate(callables)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    if any(thread.is_alive() for thread in threads):
        raise AssertionError("a concurrent worker did not finish (deadlock?)")
    return outcomes
