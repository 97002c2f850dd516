"""Two runs of a job under one PostgreSQL advisory lock: the second must wait for the first, then see its work."""

import threading

import pytest
from django.db import connection, connections


def run_while_the_first_holds_the_lock(job, *, holding_at: int) -> tuple:
    """Start ``job(progress=...)`` twice in threads; the first pauses at progress ``holding_at`` (lock held, nothing
    committed), the test checks that the second is blocked on the advisory lock, then both finish.

    Returns ``(first_result, second_result)``; an error in either run fails the test.
    """
    first_holds_lock, release_first = threading.Event(), threading.Event()
    results, errors = {}, []

    def hold(percent):
        if percent == holding_at:
            first_holds_lock.set()
            release_first.wait(10)

    def run(name, progress):
        try:
            results[name] = job(progress=progress)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def second():
        first_holds_lock.wait(10)
        run("second", None)

    threads = [threading.Thread(target=run, args=("first", hold)), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    assert first_holds_lock.wait(10)
    with connection.cursor() as cursor:
        for _ in range(50):
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
            if cursor.fetchone()[0]:
                break
            threading.Event().wait(0.1)
        else:
            pytest.fail("the second run did not wait for the lock")
    release_first.set()
    for thread in threads:
        thread.join(20)
    assert not errors
    return results["first"], results["second"]


def run_at_once(*calls) -> list:
    """Run each zero-argument callable in its own thread, released together (a barrier), each on its own
    database connection. Returns, in order, each call's result or the exception it raised."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            outcomes[index] = call()
        except Exception as exc:  # noqa: BLE001 - the caller asserts on what each call raised
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return outcomes
