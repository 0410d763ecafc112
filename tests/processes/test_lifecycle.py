"""The process lifecycle: every state derived from data, every move allowed or refused with its reason."""
from dataclasses import replace
from datetime import date

import pytest

from kerne.processes import lifecycle
from kerne.processes.lifecycle import ProcessFacts, TaskFacts, VisitFacts, allowed, refusal, state, timeline

PLANNED = TaskFacts("develop", "Lise", date(2027, 3, 1), date(2027, 4, 1))
UNPLANNED = TaskFacts("keep", "", date(2027, 3, 1), None)
MARKED = replace(PLANNED, mark="done")


def visits(first="planned", second="planned"):
    return (VisitFacts(1, first, date(2027, 1, 5)), VisitFacts(2, second, date(2027, 1, 26)))


PROCESS = ProcessFacts(request_status="planned", has_process=True, visits=visits())
EXAMPLES = {
    "requested": ProcessFacts(),
    "pair_confirmed": PROCESS,
    "visit1": replace(PROCESS, visits=visits("closed"), core_task_written=True),
    "core_task_defined": replace(PROCESS, visits=visits("closed"), core_task_written=True, core_task_locked=True),
    "visit2": replace(PROCESS, visits=visits("closed", "open"), core_task_written=True, core_task_locked=True),
    "tasks_decided": replace(PROCESS, visits=visits("closed", "closed"), core_task_written=True,
                             core_task_locked=True, tasks=(PLANNED, UNPLANNED, TaskFacts())),
    "follow_up": replace(PROCESS, visits=visits("closed", "closed"), core_task_written=True, core_task_locked=True,
                         tasks=(PLANNED, MARKED, TaskFacts())),
    "completed": replace(PROCESS, visits=visits("closed", "closed"), core_task_written=True, core_task_locked=True,
                         tasks=(MARKED, replace(UNPLANNED, owner="Bo", follow_up_on=date(2027, 5, 1), mark="dropped"),
                                TaskFacts())),
    "cancelled": replace(PROCESS, cancelled=True),
}


@pytest.mark.parametrize("name", lifecycle.STATES)
def test_each_state_is_derived_from_the_data(name):
    assert state(EXAMPLES[name]) == name


def test_the_data_decides_between_neighbouring_states():
    assert state(replace(PROCESS, visits=visits("open"))) == "visit1"  # running, not locked
    assert state(replace(PROCESS, visits=visits("open"), core_task_written=True, core_task_locked=True)) \
        == "core_task_defined"  # locked during visit 1, which still runs
    held_nothing_decided = replace(EXAMPLES["visit2"], visits=visits("closed", "closed"), tasks=(TaskFacts(),))
    assert state(held_nothing_decided) == "visit2"
    assert state(ProcessFacts(request_status="cancelled")) == "cancelled"
    assert state(ProcessFacts(request_status=None, has_process=True, visits=visits())) == "pair_confirmed"
    # a cancelled process stays cancelled whatever else is true
    assert state(replace(EXAMPLES["completed"], cancelled=True)) == "cancelled"


def test_the_timeline_marks_done_current_and_ahead():
    assert timeline(EXAMPLES["visit2"]) == [
        ("requested", "done"), ("pair_confirmed", "done"), ("visit1", "done"), ("core_task_defined", "done"),
        ("visit2", "current"), ("tasks_decided", "ahead"), ("follow_up", "ahead"), ("completed", "ahead"),
    ]
    cancelled = timeline(replace(EXAMPLES["core_task_defined"], cancelled=True))
    assert cancelled[2:5] == [("visit1", "done"), ("core_task_defined", "ahead"), ("visit2", "ahead")]
    assert cancelled[-1] == ("cancelled", "current")
    assert timeline(EXAMPLES["completed"])[-1] == ("completed", "done")


# Which moves each state allows, for a decided task with a complete plan (a marked one once completed).
ALLOWED = {
    "requested": {"confirm_pair", "cancel_request"},
    "pair_confirmed": {"open_visit1", "schedule_visit1", "schedule_visit2", "cancel"},
    "visit1": {"lock_core_task", "word_core_task", "schedule_visit2", "cancel"},
    "core_task_defined": {"open_visit2", "schedule_visit2", "unlock_core_task", "cancel"},
    "visit2": set(),
    "tasks_decided": {"plan_task", "mark_task", "plan_meeting", "cancel"},
    "follow_up": {"plan_task", "mark_task", "plan_meeting", "cancel"},
    "completed": {"mark_task"},
    "cancelled": set(),
}


@pytest.mark.parametrize("name", lifecycle.STATES)
def test_every_move_from_every_state(name):
    task = MARKED if name == "completed" else PLANNED
    assert allowed(EXAMPLES[name], task, reason="Lederen er stoppet") == ALLOWED[name]


REFUSED = [
    ("confirm_pair", "pair_confirmed", None, "", "already_planned"),
    ("confirm_pair", "cancelled", None, "", "cancelled"),
    ("cancel_request", "requested", None, "  ", "reason_missing"),
    ("cancel_request", "visit1", None, "x", "already_planned"),
    ("cancel_request", "cancelled", None, "x", "already_cancelled"),
    ("cancel", "cancelled", None, "x", "already_cancelled"),
    ("cancel", "completed", None, "x", "completed"),
    ("cancel", "visit2", None, "x", "visit_open"),
    ("cancel", "follow_up", None, "", "reason_missing"),
    ("open_visit1", "visit1", None, "", "visit_not_planned"),
    ("open_visit1", "cancelled", None, "", "cancelled"),
    ("open_visit2", "visit1", None, "", "core_task_not_locked"),
    ("open_visit2", "visit2", None, "", "visit_not_planned"),
    ("open_visit1", "requested", None, "", "not_planned"),
    ("schedule_visit1", "visit1", None, "", "visit_not_planned"),
    ("schedule_visit2", "visit2", None, "", "visit_not_planned"),
    ("schedule_visit1", "cancelled", None, "", "cancelled"),
    ("lock_core_task", "pair_confirmed", None, "", "visit1_not_begun"),
    ("word_core_task", "core_task_defined", None, "", "core_task_locked"),
    ("word_core_task", "pair_confirmed", None, "", "visit1_not_held"),
    ("lock_core_task", "core_task_defined", None, "", "core_task_locked"),
    ("unlock_core_task", "visit1", None, "", "core_task_not_locked"),
    ("unlock_core_task", "visit2", None, "", "visit2_begun"),
    ("plan_task", "visit2", PLANNED, "", "visit2_not_held"),
    ("plan_task", "completed", MARKED, "", "task_marked"),
    ("mark_task", "tasks_decided", UNPLANNED, "", "task_unplanned"),
    ("mark_task", "follow_up", TaskFacts(), "", "task_undecided"),
    ("mark_task", "core_task_defined", PLANNED, "", "visit2_not_held"),
    ("plan_meeting", "completed", None, "", "completed"),
    ("plan_meeting", "cancelled", None, "", "cancelled"),
]


@pytest.mark.parametrize(("move", "name", "task", "reason", "code"), REFUSED)
def test_refused_moves_say_why(move, name, task, reason, code):
    assert refusal(move, EXAMPLES[name], task, reason) == code


def test_lock_needs_a_written_core_task():
    assert refusal("lock_core_task", replace(EXAMPLES["visit1"], core_task_written=False)) == "core_task_empty"


def test_every_refusal_has_a_danish_message(app):
    from kerne.web.vocabulary import REFUSALS

    codes = {code for *_rest, code in REFUSED} | {"core_task_empty"}
    assert codes <= set(REFUSALS)
    assert all(str(REFUSALS[code]).endswith(".") for code in codes)


def test_an_unknown_move_is_a_programming_error():
    with pytest.raises(ValueError):
        refusal("fly", EXAMPLES["visit2"])
