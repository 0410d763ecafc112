"""Every dashboard figure on a hand-made organisation, with the exact numbers worked out by hand."""
from dataclasses import replace
from datetime import date, timedelta

import pytest

from kerne.insight import statistics
from kerne.insight.statistics import AmbassadorFacts, Case, Organisation, Unit, case_filter, compute, task_filter
from kerne.processes.lifecycle import ProcessFacts, TaskFacts, VisitFacts

TODAY = date(2026, 11, 28)
UNITS = [
    Unit(1, "Område A", "area", None), Unit(2, "A1", "department", 1), Unit(3, "A2", "department", 1),
    Unit(4, "W1", "workplace", 2), Unit(5, "W2", "workplace", 2), Unit(6, "W3", "workplace", 3),
    Unit(7, "Område B", "area", None), Unit(8, "B1", "department", 7),
    Unit(9, "W4", "workplace", 8), Unit(10, "W5", "workplace", 8),
]


def held(v1=0, v2=0):
    return (VisitFacts(1, "closed"), VisitFacts(2, "closed")), ((1, v1), (2, v2))


def task(decision, owner="Lise", follow_up_on=TODAY + timedelta(days=40), mark=None):
    return TaskFacts(decision, owner, date(2026, 12, 1), follow_up_on, mark)


def case(key, workplace, requested_on, facts, participants=(), facilitators=(), last_mark_on=None):
    process_id = int(key[1:]) if key.startswith("p") else None
    return Case(key, workplace, requested_on, facts, process_id, facilitators, participants, None, last_mark_on)


P1_VISITS, P1_PEOPLE = held(12, 8)
P2_VISITS, P2_PEOPLE = held(3, 0)
P5_VISITS, P5_PEOPLE = held(25, 41)
CASES = [
    case("r1", 4, date(2026, 9, 5), ProcessFacts()),
    case("p1", 4, date(2026, 6, 1), ProcessFacts("planned", True, False, P1_VISITS, True, True, (
        task("develop", mark="done"), task("keep", mark="changed"), TaskFacts())), P1_PEOPLE, (101, 102),
        last_mark_on=date(2026, 11, 12)),
    case("p2", 6, date(2026, 7, 15), ProcessFacts("planned", True, False, P2_VISITS, True, True, (
        task("develop", follow_up_on=TODAY - timedelta(days=1)), task("phase_out", follow_up_on=TODAY + timedelta(5)),
        task("keep", follow_up_on=TODAY + timedelta(30)))), P2_PEOPLE, (101,)),
    case("p3", 9, date(2026, 10, 1), ProcessFacts("planned", True, False, (
        VisitFacts(1, "open"), VisitFacts(2, "planned")), True, False), (), (102,)),
    case("p4", 10, date(2026, 8, 20), ProcessFacts("planned", True, True, (
        VisitFacts(1, "closed"), VisitFacts(2, "planned")), True, True, (task("develop"),)), ((1, 7),), (103,)),
    case("p5", 5, date(2026, 5, 10), ProcessFacts("planned", True, False, P5_VISITS, True, True, (
        task("develop", owner="", follow_up_on=None),)), P5_PEOPLE),
    case("r2", 9, date(2026, 11, 2), ProcessFacts(request_status="cancelled")),
]
AMBASSADORS = [
    AmbassadorFacts(101, "Xenia", 4, True, 3, ((4, True, False), (6, True, False))),
    AmbassadorFacts(102, "Yrsa", 9, True, 3, ((4, True, False), (9, False, False))),
    AmbassadorFacts(103, "Zaki", 6, True, 2, ((10, False, True),)),
]


@pytest.fixture(scope="module")
def board():
    return compute(UNITS, CASES, AMBASSADORS, TODAY)


def test_processes_by_state(board):
    assert board.cases == 7
    assert board.by_state == {"requested": 1, "pair_confirmed": 0, "visit1": 1, "core_task_defined": 0, "visit2": 0,
                              "tasks_decided": 1, "follow_up": 1, "completed": 1, "cancelled": 2}


def test_processes_per_area_and_department(board):
    rows = {row.unit.name: (row.depth, dict(row.states), row.total) for row in board.by_unit}
    assert rows == {
        "Område A": (0, {"requested": 1, "completed": 1, "tasks_decided": 1, "follow_up": 1}, 4),
        "A1": (1, {"requested": 1, "completed": 1, "tasks_decided": 1}, 3),
        "A2": (1, {"follow_up": 1}, 1),
        "Område B": (0, {"visit1": 1, "cancelled": 2}, 3),
        "B1": (1, {"visit1": 1, "cancelled": 2}, 3),
    }
    assert [row.unit.name for row in board.by_unit] == ["Område A", "A1", "A2", "Område B", "B1"]


def test_requested_and_completed_per_month(board):
    assert [m for m, _r, _c in board.months] == [
        "2025-12", "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08", "2026-09",
        "2026-10", "2026-11"]
    assert {m: (r, c) for m, r, c in board.months if r or c} == {
        "2026-05": (1, 0), "2026-06": (1, 0), "2026-07": (1, 0), "2026-08": (1, 0), "2026-09": (1, 0),
        "2026-10": (1, 0), "2026-11": (1, 1)}


def test_workplaces_with_a_defined_core_task_on_the_tree(board):
    assert (board.workplaces, board.workplaces_defined, board.share_defined) == (5, 3, 60)
    assert board.defined_workplaces == {4, 5, 6}  # W5's core task belongs to a cancelled process
    assert {c.unit.name: (c.depth, c.defined, c.workplaces) for c in board.coverage} == {
        "Område A": (0, 3, 3), "A1": (1, 2, 2), "A2": (1, 1, 1), "Område B": (0, 0, 2), "B1": (1, 0, 2)}


def test_decisions_in_total_and_per_department(board):
    assert board.decisions == {"develop": 3, "keep": 2, "phase_out": 1}  # the cancelled process's are left out
    assert [(unit.name, counts) for unit, counts in board.decisions_by_department] == [
        ("A1", {"develop": 2, "keep": 1, "phase_out": 0}), ("A2", {"develop": 1, "keep": 1, "phase_out": 1})]


def test_follow_ups_due_and_overdue(board):
    assert board.follow_ups == {"overdue": 1, "due": 1, "later": 1, "done": 2}


def test_commitments_and_load(board):
    assert board.own == {"met": 1, "planned": 1, "open": 1}
    assert board.other == {"met": 2, "planned": 0, "open": 1}
    assert [(a.name, c.own, c.other, n, done) for a, c, n, done in board.load] == [
        ("Xenia", "met", "met", 2, 2), ("Yrsa", "planned", "met", 2, 1), ("Zaki", "open", "open", 0, 0)]
    assert board.load_buckets == {"0": 1, "1": 0, "2": 2, "3": 0, "4+": 0}


def test_participants_per_visit(board):
    first, second = board.participation
    assert (first.visit, first.held, first.participants, first.average, first.median, first.most) == \
        (1, 4, 47, 11.75, 9.5, 25)
    assert first.buckets == {"0": 0, "1-5": 1, "6-10": 1, "11-20": 1, "21-40": 1, "41+": 0}
    assert (second.held, second.participants, round(second.average, 3), second.median, second.most) == \
        (3, 49, 16.333, 8.0, 41)
    assert second.buckets == {"0": 1, "1-5": 0, "6-10": 1, "11-20": 0, "21-40": 0, "41+": 1}


def test_an_area_leader_sees_only_the_area():
    area = [u for u in UNITS if u.id in (1, 2, 3, 4, 5, 6)]
    cases = [c for c in CASES if c.workplace_id in (4, 5, 6)]
    board = compute(area, cases, AMBASSADORS[:1] + AMBASSADORS[2:], TODAY)
    assert {k: v for k, v in board.by_state.items() if v} == {"requested": 1, "tasks_decided": 1, "follow_up": 1,
                                                              "completed": 1}
    assert (board.workplaces, board.workplaces_defined) == (3, 3)
    assert board.own == {"met": 1, "planned": 0, "open": 1}


def test_every_figure_matches_the_list_behind_it(board):
    organisation = Organisation(UNITS)
    for name, count in board.by_state.items():
        assert sum(case_filter(c, organisation, state=name) for c in CASES) == count
    for row in board.by_unit:
        for name, count in row.states.items():
            assert sum(case_filter(c, organisation, state=name, unit=row.unit.id) for c in CASES) == count
    for month, requested, completed in board.months:
        assert sum(case_filter(c, organisation, requested=month) for c in CASES) == requested
        assert sum(case_filter(c, organisation, completed=month) for c in CASES) == completed
    assert sum(case_filter(c, organisation, core_task=True) for c in CASES) == 3
    tasks = [(t, c) for c in CASES for t in c.facts.decided]
    for decision, count in board.decisions.items():
        assert sum(task_filter(t, c, organisation, TODAY, decision=decision) for t, c in tasks) == count
    for unit, counts in board.decisions_by_department:
        for decision, count in counts.items():
            assert sum(task_filter(t, c, organisation, TODAY, decision=decision, unit=unit.id) for t, c in tasks) \
                == count
    for where, count in board.follow_ups.items():
        assert sum(task_filter(t, c, organisation, TODAY, follow_up=where) for t, c in tasks) == count
    for state_name, count in board.own.items():
        assert sum(statistics.ambassador_filter(a, organisation, own=state_name) for a in AMBASSADORS) == count
    for bucket, count in board.load_buckets.items():
        assert sum(statistics.ambassador_filter(a, organisation, load=bucket) for a in AMBASSADORS) == count
    for participation in board.participation:
        assert sum(case_filter(c, organisation, held=participation.visit) for c in CASES) == participation.held
        for bucket, count in participation.buckets.items():
            # a process is listed once however many of its visits fall in the bucket; here each has one
            assert sum(case_filter(c, organisation, visit=participation.visit, participants=bucket)
                       for c in CASES) == count
    assert sum(case_filter(c, organisation, ambassador=101) for c in CASES) == 2


def test_commitments_ignore_cancelled_processes():
    assert statistics.commitments(1, [(1, False, True), (2, True, False)]) == statistics.Commitments("open", "met")
    assert statistics.commitments(1, [(1, False, False), (1, True, False)]).own == "met"


# ---- percentages, periods, what needs action, talks across units, scope --------------

def test_percentages_are_rounded_half_up_as_people_round():
    assert [statistics.percent(p, w) for p, w in ((3, 24), (5, 8), (1, 8), (1, 3), (2, 3), (0, 7), (7, 7), (0, 0))] \
        == [13, 63, 13, 33, 67, 0, 100, 0]
    workplaces = [Unit(100 + n, f"W{n:02d}", "workplace", None) for n in range(24)]
    defined = [case(f"p{n}", 100 + n, TODAY, ProcessFacts("planned", True, False, held()[0], True, True))
               for n in range(3)]
    assert compute(workplaces, defined, [], TODAY).share_defined == 13  # 12.5 %: half-to-even said 12


def test_periods_this_year_the_last_twelve_months_and_a_range():
    twelve = statistics.period_of("12m", TODAY)
    assert (twelve.start, twelve.end, twelve.months[0], twelve.months[-1], len(twelve.months)) == (
        date(2025, 12, 1), TODAY, "2025-12", "2026-11", 12)
    assert statistics.period_of("year", TODAY) == statistics.Period("year", date(2026, 1, 1), TODAY)
    turned = statistics.period_of("range", TODAY, date(2026, 3, 31), date(2026, 2, 15))
    assert (turned.start, turned.end, turned.months) == (date(2026, 2, 15), date(2026, 3, 31), ["2026-02", "2026-03"])
    assert statistics.period_of("range", TODAY, None, None).kind == "12m"
    assert len(statistics.period_of("range", TODAY, date(2016, 1, 1), TODAY).months) == statistics.MAX_MONTHS


def test_a_process_is_in_a_period_while_it_is_under_way_in_it():
    summer = statistics.Period("range", date(2026, 6, 1), date(2026, 8, 31))
    completed = CASES[1]  # requested 1 June, completed 12 November
    assert completed.in_period(summer) and not completed.in_period(statistics.Period("range", date(2026, 12, 1),
                                                                                     date(2026, 12, 31)))
    assert not CASES[0].in_period(summer)  # requested 5 September
    cancelled = CASES[6]  # a request withdrawn on 2 November keeps its request's day
    assert cancelled.ended_on == date(2026, 11, 2) and not cancelled.in_period(summer)
    board = compute(UNITS, CASES, AMBASSADORS, TODAY, summer)
    # p1 (completed in November), p2, p4 (cancelled, with no date of its own: its request's) and p5; two still active
    assert board.cases == 4 and board.active == 2
    assert board.months == [("2026-06", 1, 0), ("2026-07", 1, 0), ("2026-08", 1, 0)]
    assert board.decisions == {"develop": 3, "keep": 2, "phase_out": 1}


def test_key_figures_and_what_needs_action(board):
    assert (board.active, board.cases) == (3, 7)
    assert board.attention == statistics.Attention(overdue=1, stalled=0, undated=0, waiting=1, lacking=1)
    stalled = replace(CASES[3], entered_on=TODAY - timedelta(days=61))
    waiting_for_a_day = replace(CASES[3], facts=replace(CASES[3].facts, visits=(VisitFacts(1, "planned", TODAY),)),
                                entered_on=TODAY - timedelta(days=200), undated=2)
    assert stalled.stalled(TODAY, 60) and not stalled.stalled(TODAY, 61)
    assert waiting_for_a_day.state == "pair_confirmed" and not waiting_for_a_day.stalled(TODAY, 60)  # visit 1 is today
    later = compute(UNITS, [stalled, waiting_for_a_day], [], TODAY, stalled_days=60)
    assert (later.attention.stalled, later.attention.undated) == (1, 1)  # one process, though two visits lack a day
    organisation = Organisation(UNITS)
    assert [c.key for c in CASES if case_filter(c, organisation, active=True)] == ["p2", "p3", "p5"]
    assert case_filter(stalled, organisation, stalled=(TODAY, 60)) and case_filter(waiting_for_a_day, organisation,
                                                                                  undated=True)
    assert [a.name for a in AMBASSADORS if statistics.ambassador_filter(a, organisation, lacking=True)] == ["Zaki"]


def test_talks_across_units_are_counted_in_the_period_where_they_touch_the_unit():
    talks = [statistics.ConversationFacts(1, 4, 9, "proposed", date(2026, 11, 1)),
             statistics.ConversationFacts(2, 9, 10, "held", date(2026, 10, 1)),
             statistics.ConversationFacts(3, 5, 6, "agreed", date(2024, 1, 1))]
    assert compute(UNITS, CASES, AMBASSADORS, TODAY, conversations=talks).conversations == {
        "proposed": 1, "agreed": 0, "held": 1}
    assert compute(UNITS, CASES, AMBASSADORS, TODAY, unit=1, conversations=talks).conversations == {
        "proposed": 1, "agreed": 0, "held": 0}


def test_a_unit_chosen_counts_only_what_is_under_it():
    board = compute(UNITS, CASES, AMBASSADORS, TODAY, unit=2)  # department A1: W1 and W2
    assert (board.workplaces, board.workplaces_defined, board.cases, board.active) == (2, 2, 3, 1)
    assert board.decisions == {"develop": 2, "keep": 1, "phase_out": 0}
    assert [r.unit.name for r in board.by_unit] == ["A1"]
    # Yrsa (W4) is not under A1; Xenia's process at W3 is not either, so it is not counted in her load there
    assert [(a.name, n, done) for a, _c, n, done in board.load] == [("Xenia", 1, 1)]


def test_an_ambassadors_load_counts_only_the_processes_within_scope():
    area = Organisation([u for u in UNITS if u.id in (1, 2, 3, 4, 5, 6)])
    yrsa = AMBASSADORS[1]  # W4 (area B) and W1 (area A)
    assert statistics.counted(yrsa, area) == (1, 1) and statistics.load_of(yrsa, area) == "1"
    assert statistics.counted(yrsa, Organisation(UNITS)) == (2, 1)
    assert statistics.commitments(yrsa.workplace_id, yrsa.processes) == statistics.Commitments("planned", "met")


def test_every_new_figure_matches_the_list_behind_it():
    organisation = Organisation(UNITS)
    period = statistics.period_of("year", TODAY)
    board = compute(UNITS, CASES, AMBASSADORS, TODAY, period)
    assert board.active == sum(case_filter(c, organisation, active=True, period=period) for c in CASES)
    assert board.cases == sum(case_filter(c, organisation, period=period) for c in CASES)
    for name, count in board.by_state.items():
        assert sum(case_filter(c, organisation, state=name, period=period) for c in CASES) == count
    tasks = [(t, c) for c in CASES for t in c.facts.decided]
    for decision, count in board.decisions.items():
        assert sum(task_filter(t, c, organisation, TODAY, decision=decision, period=period) for t, c in tasks) == count
    attention = board.attention
    assert attention.overdue == sum(task_filter(t, c, organisation, TODAY, follow_up="overdue") for t, c in tasks)
    assert attention.waiting == sum(case_filter(c, organisation, state="requested") for c in CASES)
    assert attention.stalled == sum(case_filter(c, organisation, stalled=(TODAY, 60)) for c in CASES)
    assert attention.undated == sum(case_filter(c, organisation, undated=True) for c in CASES)
    assert attention.lacking == sum(statistics.ambassador_filter(a, organisation, lacking=True) for a in AMBASSADORS)
