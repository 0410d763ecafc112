"""Seeded random problems shaped like a municipality, for benchmarks and tests.

About three ambassadors a workplace, three to four departments an area, a
season of 100 working days; each request has two visits two to four weeks
apart, some as a three-day window; ambassadors are away on about one day in
twelve, some commitments are already met and some have worked together before.
"""
import random
from dataclasses import replace
from datetime import date, timedelta

from kerne.matching.model import Ambassador, Problem, Request, Unit

PROFESSIONS = ("Sygeplejerske", "Pædagog", "Lærer", "Fysioterapeut", "Ergoterapeut", "Socialrådgiver",
               "Afdelingsleder", "Social- og sundhedsassistent")
SEASON_START = date(2027, 1, 4)


def working_days(count: int) -> list[date]:
    days, day = [], SEASON_START
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def random_problem(seed: int, ambassadors: int, requests: int, season_days: int = 100) -> Problem:
    rng = random.Random(seed)
    workplaces_count = max(4, ambassadors // 3)
    areas = [Unit(f"A{n}", "area") for n in range(max(3, workplaces_count // 40))]
    departments = [Unit(f"D{n}", "department", rng.choice(areas).id) for n in range(max(4, workplaces_count // 8))]
    for n, area in enumerate(areas):  # every area has a department
        departments[n % len(departments)] = Unit(departments[n % len(departments)].id, "department", area.id)
    workplaces = [Unit(f"W{n}", "workplace", rng.choice(departments).id) for n in range(workplaces_count)]
    days = working_days(season_days)

    people = []
    for n in range(ambassadors):
        capacity = rng.choice((2, 3, 3))
        load = rng.choice((0, 0, 0, 1))
        people.append(Ambassador(
            id=f"P{n}",
            workplace=rng.choice(workplaces).id,
            profession=rng.choice(PROFESSIONS),
            capacity=capacity,
            load=min(load, capacity - 1),
            unavailable=frozenset(rng.sample(days, k=season_days // 12)),
            own_done=rng.random() < 0.2,
            other_done=rng.random() < 0.2,
        ))
    partners = {p.id: set() for p in people}
    for _ in range(ambassadors // 3):
        a, b = rng.sample(people, 2)
        partners[a.id].add(b.id)
        partners[b.id].add(a.id)
    people = [replace(p, partners=frozenset(partners[p.id])) for p in people]

    wanted = []
    for n in range(requests):
        first = rng.randrange(0, season_days - 25)
        second = first + rng.randrange(10, 21)
        width = 3 if rng.random() < 0.2 else 1
        visits = tuple((days[d], days[min(d + width - 1, season_days - 1)]) for d in (first, second))
        wanted.append(Request(id=f"R{n}", workplace=rng.choice(workplaces).id, visits=visits))
    return Problem(units=tuple(areas + departments + workplaces), ambassadors=tuple(people), requests=tuple(wanted))
