"""What the room shares besides its words (kerne.workshop.room): exact results, no app."""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from kerne.workshop.room import (
    Timer,
    Unsettled,
    clock,
    focusable,
    in_focus,
    majority,
    neighbours,
    unsettled,
)

NOON = datetime(2026, 12, 1, 12, 0)


@dataclass(frozen=True)
class Task:
    id: int
    decision: str = "undecided"
    owner: str = ""
    deadline: date | None = None
    follow_up_on: date | None = None


@dataclass(frozen=True)
class Draft:
    core_task: str = ""
    locked_at: datetime | None = None


@dataclass(frozen=True)
class VisitTimer:
    timer_seconds: int | None = None
    timer_used: int = 0
    timer_running_since: datetime | None = None


PLANNED = {"owner": "Pia", "deadline": date(2027, 2, 1), "follow_up_on": date(2027, 3, 1)}


def test_a_step_not_given_a_length_has_its_playbook_minutes_and_waits_to_be_started():
    timer = Timer.of(VisitTimer(), 15)
    assert timer == Timer(900, 0, None)
    assert not timer.running and timer.ends_at is None and timer.left(NOON) == 900
    assert Timer.of(VisitTimer(1200, 60, NOON), 15) == Timer(1200, 60, NOON)


def test_the_timer_runs_pauses_and_runs_on_from_where_it_stood():
    running = Timer(900).started(NOON)
    assert running.running and running.ends_at == NOON + timedelta(seconds=900)
    assert running.started(NOON + timedelta(minutes=3)) == running  # started twice: still from noon
    assert running.left(NOON + timedelta(seconds=100)) == 800
    paused = running.paused(NOON + timedelta(seconds=100))
    assert paused == Timer(900, 100, None)
    assert paused.paused(NOON + timedelta(hours=1)) == paused  # paused twice: time does not move
    again = paused.started(NOON + timedelta(minutes=10))
    assert again.ends_at == NOON + timedelta(minutes=10, seconds=800)


def test_five_minutes_more_names_the_total_so_a_resend_adds_nothing():
    running = Timer(900, 100, NOON)
    longer = running.lengthened_to(900 + 300)
    assert longer == Timer(1200, 100, NOON) and longer.lengthened_to(1200) == longer
    assert longer.ends_at == NOON + timedelta(seconds=1100)


def test_over_time_is_below_zero_and_the_clock_says_it_without_a_sign():
    late = Timer(60).started(NOON)
    assert late.left(NOON + timedelta(seconds=75)) == -15
    assert late.paused(NOON + timedelta(seconds=75)) == Timer(60, 75, None)
    assert [clock(s) for s in (0, 59, 60, 905, -15, -3600)] == ["0:00", "0:59", "1:00", "15:05", "0:15", "60:00"]


def test_on_the_decide_step_the_first_undecided_task_comes_by_itself_unless_one_was_chosen():
    tasks = (Task(1, "develop"), Task(2), Task(3))
    assert focusable(tasks, "decide") == tasks
    assert in_focus(tasks, None, "decide") == tasks[1]
    assert in_focus(tasks, 3, "decide") == tasks[2]
    assert in_focus(tasks, 1, "decide") == tasks[0]  # a decided task may be looked at again
    assert in_focus(tasks, 99, "decide") == tasks[1]  # a task no longer on the list: back to the first waiting
    done = (Task(1, "keep"), Task(2, "develop"))
    assert in_focus(done, None, "decide") == done[0]
    assert in_focus((), None, "decide") is None


def test_on_the_actions_step_only_decided_tasks_and_first_the_one_without_a_plan():
    tasks = (Task(1, "develop", **PLANNED), Task(2), Task(3, "phase_out"), Task(4, "keep", owner="Bo"))
    plan = focusable(tasks, "actions")
    assert plan == (tasks[0], tasks[2], tasks[3])
    assert in_focus(plan, None, "actions") == tasks[2]
    assert in_focus(plan, 2, "actions") == tasks[2]  # an undecided task is not on the plan
    assert in_focus(plan, 1, "actions") == tasks[0]
    assert in_focus(focusable((Task(1, "keep", **PLANNED),), "actions"), None, "actions").id == 1
    assert in_focus(focusable((Task(1),), "actions"), None, "actions") is None


def test_neighbours_of_a_task():
    tasks = (Task(1), Task(2), Task(3))
    assert neighbours(tasks, tasks[0]) == (None, tasks[1])
    assert neighbours(tasks, tasks[1]) == (tasks[0], tasks[2])
    assert neighbours(tasks, tasks[2]) == (tasks[1], None)


def test_the_rooms_majority_is_the_most_votes_and_none_on_a_tie_or_no_votes():
    assert majority({"develop": 2, "keep": 7, "phase_out": 1}) == "keep"
    assert majority({"develop": 1}) == "develop"
    assert majority({"develop": 3, "keep": 3, "phase_out": 1}) is None
    assert majority({"develop": 1, "keep": 3, "phase_out": 3}) is None
    assert majority({"develop": 0, "keep": 0}) is None
    assert majority({}) is None


def test_closing_visit_1_leaves_the_core_task_open_until_it_is_written_and_locked():
    assert unsettled(1, None, ()) == (Unsettled("core_task"),)
    assert unsettled(1, Draft("  "), ()) == (Unsettled("core_task"),)
    assert unsettled(1, Draft("Trygge børn"), ()) == (Unsettled("core_task"),)
    assert unsettled(1, Draft("  ", NOON), ()) == (Unsettled("core_task"),)
    assert unsettled(1, Draft("Trygge børn", NOON), ()) == ()


def test_closing_visit_2_leaves_open_undecided_tasks_and_an_empty_or_half_action_plan():
    assert unsettled(2, None, ()) == (Unsettled("no_tasks"),)
    assert unsettled(2, None, (Task(1), Task(2))) == (Unsettled("undecided", 2), Unsettled("plan_empty"))
    assert unsettled(2, None, (Task(1), Task(2, "keep"))) == (Unsettled("undecided", 1), Unsettled("plan_empty"))
    assert unsettled(2, None, (Task(1, "keep", owner="Bo"), Task(2, "develop"))) == (Unsettled("unplanned", 2),)
    assert unsettled(2, None, (Task(1, "keep", **PLANNED), Task(2, "develop"), Task(3))) == (
        Unsettled("undecided", 1), Unsettled("unplanned", 1))
    assert unsettled(2, None, (Task(1, "keep", **PLANNED), Task(2, "phase_out", **PLANNED))) == ()
