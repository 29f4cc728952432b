"""The batch's runners (engine.batch.pool): each calls ``solve`` on every task and ``emit`` here as each finishes,
and names the tasks it could not run."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from engine.batch import pool


@dataclass(frozen=True)
class FakeTask:
    id: str
    x: int


def square(task: FakeTask) -> dict:
    if task.x < 0:
        raise ValueError("negative")
    return {"y": task.x * task.x}


@pytest.mark.parametrize("backend", ["serial", "local"])
def test_every_task_is_solved_and_emitted_once(backend):
    tasks = [FakeTask(f"t{k}", k) for k in range(5)]
    emitted = {}
    reasons = pool.RUNNERS[backend](square, tasks, 2, None, lambda t, out: emitted.setdefault(t.id, out))
    assert reasons == {} and emitted == {f"t{k}": {"y": k * k} for k in range(5)}


def test_a_failing_task_is_named_with_its_reason_and_the_others_finish():
    tasks = [FakeTask("good", 2), FakeTask("bad", -1)]
    emitted = {}
    reasons = pool.RUNNERS["local"](square, tasks, 2, None, lambda t, out: emitted.setdefault(t.id, out))
    assert emitted == {"good": {"y": 4}} and reasons == {"bad": "ValueError: negative"}


def test_workers_are_capped_per_cpu():
    assert pool.max_workers() == pool.MAX_WORKERS_PER_CPU * pool.default_workers() >= 1
