"""GET /api/training: what a page needs before it starts a training, consistent with what the
train message accepts and what the engine runs."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, get_args

from fastapi.testclient import TestClient

from app.engine.fit import Hyper
from app.engine.tasks import TASKS
from app.messages import TaskName, TrainSettings


def test_the_train_message_knows_exactly_the_engines_tasks() -> None:
    assert set(get_args(TaskName)) == set(TASKS)


def test_the_train_messages_defaults_are_the_engines() -> None:
    assert TrainSettings().model_dump() == asdict(Hyper())


def test_it_lists_tasks_settings_and_budgets(client: TestClient, override_settings: Any) -> None:
    override_settings(training_max_updates=500, max_trainings=3)
    menu = client.get("/api/training").json()
    assert [task["name"] for task in menu["tasks"]] == list(TASKS)
    latch = next(task for task in menu["tasks"] if task["name"] == "latch")
    assert latch["input_names"] == ["value", "store", "clear"] and latch["tolerance"] == 0.2
    hidden = menu["settings"]["hidden"]
    assert (hidden["default"], hidden["minimum"], hidden["maximum"]) == (8, 1, 16)
    assert menu["settings"]["steps"]["maximum"] == 200
    assert menu["budget"]["updates"] == 500 and menu["max_trainings"] == 3
