"""The rules a plan is held to, the value of a plan on each level of the
objective, the greedy baseline, and the explanations.

Hard rules: two different people per request, both free on its days,
capacity respected, nobody on two requests that share a day, the two from
different departments, locked assignments kept. Objective, in strict order:
staffed requests; ambassadors with both commitments met or planned; distance
(between the two, and from the requesting workplace); pairs of different
professions; load spread evenly (a convex penalty on each ambassador's load);
repeated pairings (fewer is better).
"""
from collections import defaultdict

import numpy as np

from kerne.matching.instance import Instance
from kerne.matching.model import Assignment, PairReasons, Plan, Unstaffed

Assignments = dict[int, tuple[int, int]]  # request index -> ambassador indexes


def violations(instance: Instance, assignments: Assignments) -> list[tuple[str, str, str]]:
    """Every hard rule the assignments break, as (rule, request id, ambassador id)."""
    problems = []
    uses: dict[int, list[int]] = defaultdict(list)
    for r, pair in assignments.items():
        request = instance.requests[r]
        a, b = pair
        if a == b:
            problems.append(("same_person", request.id, instance.ambassadors[a].id))
        if instance.department[a] == instance.department[b]:
            problems.append(("same_department", request.id, instance.ambassadors[b].id))
        for n in set(pair):
            uses[n].append(r)
            if request.days & instance.ambassadors[n].busy:
                problems.append(("not_free", request.id, instance.ambassadors[n].id))
    for n, requests in uses.items():
        ambassador = instance.ambassadors[n]
        if len(requests) > instance.spare[n]:
            problems.append(("capacity", instance.requests[requests[-1]].id, ambassador.id))
        for i, r in enumerate(requests):
            for other in requests[i + 1:]:
                if instance.requests[r].days & instance.requests[other].days:
                    problems.append(("double_booked", instance.requests[other].id, ambassador.id))
    for r, a in instance.locks:
        if a not in assignments.get(r, ()):
            problems.append(("lock_broken", instance.requests[r].id, instance.ambassadors[a].id))
    return problems


def rules_broken_by(instance: Instance, assignments: Assignments, r: int, a: int, partner: int | None) -> list[str]:
    """The hard rules putting ambassador ``a`` on request ``r`` (beside ``partner``) would break,
    given the rest of the plan: what a manual swap needs to know about one candidate."""
    elsewhere = [other for other, pair in assignments.items() if other != r and a in pair]
    return _broken(instance, r, a, partner, elsewhere)


def swap_options(instance: Instance, assignments: Assignments, r: int, member: int | None, partner: int | None
                 ) -> list[tuple[int, list[str], int]]:
    """Every ambassador for the place on request ``r`` that ``member`` holds (beside ``partner``),
    best first, as (ambassador, the hard rules the choice breaks, the change in how many
    ambassadors have both commitments met or planned). Those breaking no rule come first, then
    by commitments gained, then by distance from the request and the partner."""
    uses: dict[int, list[int]] = defaultdict(list)
    for q, pair in assignments.items():
        for a in set(pair):
            uses[a].append(q)
    options = []
    for a in range(len(instance.ambassadors)):
        elsewhere = [q for q in uses[a] if q != r]
        change = 0
        if a != member:
            leaving = [] if member is None else [(member, [q for q in uses[member] if q != r])]
            change = sum(_completes(instance, n, after) - _completes(instance, n, uses[n])
                         for n, after in [*leaving, (a, [*elsewhere, r])])
        far = int(instance.distance[r, a]) + (instance.pair_distance(a, partner) if partner is not None else 0)
        options.append((a, _broken(instance, r, a, partner, elsewhere), change, far))
    options.sort(key=lambda o: (bool(o[1]), -o[2], -o[3], o[0]))  # ties in the problem's order
    return [(a, broken, change) for a, broken, change, _far in options]


def _broken(instance: Instance, r: int, a: int, partner: int | None, elsewhere: list[int]) -> list[str]:
    """The hard rules broken by ``a`` on ``r`` beside ``partner`` while also on the requests ``elsewhere``."""
    broken = []
    request, ambassador = instance.requests[r], instance.ambassadors[a]
    if partner == a:
        broken.append("same_person")
    elif partner is not None and instance.department[partner] == instance.department[a]:
        broken.append("same_department")
    if request.days & ambassador.busy:
        broken.append("not_free")
    if len(elsewhere) + 1 > instance.spare[a]:
        broken.append("capacity")
    if any(instance.requests[other].days & request.days for other in elsewhere):
        broken.append("double_booked")
    return broken


def load_penalty(load: int, capacity: int) -> int:
    """Convex: each process beyond the first costs more than the one before."""
    return sum(max(0, load - k) for k in range(1, capacity))


def evaluate(instance: Instance, assignments: Assignments) -> dict[str, int]:
    """The plan's value on each level of the objective."""
    uses: dict[int, list[int]] = defaultdict(list)
    distance = professions = repeats = 0
    for r, (a, b) in assignments.items():
        first, second = instance.ambassadors[a], instance.ambassadors[b]
        for n in (a, b):
            uses[n].append(r)
            distance += int(instance.distance[r, n])
        distance += instance.pair_distance(a, b)
        professions += first.profession != second.profession
        repeats += second.id in first.partners
    complete = sum(_completes(instance, n, uses[n]) for n in range(len(instance.ambassadors)))
    penalty = sum(load_penalty(a.load + len(uses[n]), a.capacity) for n, a in enumerate(instance.ambassadors))
    return {
        "staffed": len(assignments),
        "commitments": complete,
        "distance": distance,
        "professions": professions,
        "load": penalty,
        "repeats": repeats,
    }


def greedy(instance: Instance, mask: np.ndarray | None = None) -> Assignments:
    """A simple plan: requests with the fewest free ambassadors first, each given
    the best two still possible. The baseline every solved plan must match or beat."""
    free = instance.free if mask is None else mask
    uses: dict[int, list[int]] = defaultdict(list)
    room = np.array(instance.spare)  # processes each can still take: the full ones are not looked at
    assignments: Assignments = {}
    key = instance.preference.astype(np.int64)
    locked = defaultdict(list)
    for r, a in instance.locks:
        locked[r].append(a)
    counts = free.sum(axis=1)
    order = sorted(range(len(instance.requests)), key=lambda r: (not locked[r], counts[r]))
    for r in order:
        columns = np.flatnonzero(free[r] & (room > 0))
        worth = key[r, columns] + np.isin(columns, locked[r]) * 10_000
        pair: list[int] = []
        for a in map(int, columns[np.argsort(-worth, kind="stable")]):
            if not _broken(instance, r, a, pair[0] if pair else None, uses[a]):
                pair.append(a)
                if len(pair) == 2:
                    break
        if len(pair) < 2:
            continue
        assignments[r] = (pair[0], pair[1])
        for a in pair:
            uses[a].append(r)
            room[a] -= 1
    return assignments


def seed(instance: Instance) -> Assignments:
    """A plan built with the commitments in mind, to start the solver from.

    First everyone whose own-workplace commitment is open gets a request at
    their own workplace; then those whose other commitment is open (the ones
    it would complete first) join requests elsewhere; then the remaining places
    are filled by preference. Requests left with one member are given up.
    """
    free = instance.free
    uses: dict[int, list[int]] = defaultdict(list)
    room = np.array(instance.spare)  # processes each can still take: the full ones are not looked at
    members: dict[int, list[int]] = defaultdict(list)

    def fits(r: int, a: int) -> bool:
        return bool(free[r, a]) and len(members[r]) < 2 and not _broken(
            instance, r, a, members[r][0] if members[r] else None, uses[a])

    def join(r: int, a: int) -> None:
        members[r].append(a)
        uses[a].append(r)
        room[a] -= 1

    for r, a in instance.locks:
        if a not in members[r]:
            join(r, a)

    key = instance.preference

    def fill(r: int) -> None:
        columns = np.flatnonzero(free[r] & (room > 0))
        for a in map(int, columns[np.argsort(-key[r, columns], kind="stable")]):
            if len(members[r]) == 2:
                break
            if fits(r, a):
                join(r, a)

    for r in {r for r, _a in instance.locks}:  # a locked request gets its partner before anyone else is placed
        fill(r)
    own, ambassadors = instance.own, instance.ambassadors
    open_own = [a for a, x in enumerate(ambassadors) if not x.own_done]
    for a in sorted(open_own, key=lambda a: int((free[:, a] & own[:, a]).sum())):  # fewest chances first
        rows = np.flatnonzero(free[:, a] & own[:, a])
        for r in sorted(rows, key=lambda r: len(members[int(r)])):
            if fits(int(r), a):
                join(int(r), a)
                break
    served_own = {a for rs in members.values() for a in rs}
    open_other = [a for a, x in enumerate(ambassadors) if not x.other_done]
    for a in sorted(open_other, key=lambda a: (not (ambassadors[a].own_done or a in served_own), instance.spare[a])):
        rows = np.flatnonzero(free[:, a] & ~own[:, a])
        for r in sorted(map(int, rows), key=lambda r: (len(members[r]) != 1, -instance.distance[r, a])):
            if fits(r, a):
                join(r, a)
                break
    for r in range(len(instance.requests)):
        fill(r)
    return {r: (pair[0], pair[1]) for r, pair in members.items() if len(pair) == 2}


def farther(instance: Instance, assignments: Assignments, mask: np.ndarray, rounds: int = 3) -> Assignments:
    """Move members for more distance, or as much distance and more pairs of
    different professions, where nothing above distance gets worse.

    A member is replaced by a candidate of ``mask`` further from the request,
    when need be taking that candidate from another request and putting someone
    else (perhaps the member) there instead, as long as the whole move gains
    distance, breaks no hard rule and takes nobody below both commitments. The
    solver runs it between its stages, so each starts from a better plan.
    """
    plan = dict(assignments)
    uses: dict[int, set[int]] = defaultdict(set)
    for r, pair in plan.items():
        for a in pair:
            uses[a].add(r)
    locked = set(instance.locks)

    profession = [a.profession for a in instance.ambassadors]

    def score(r: int, a: int, partner: int) -> int:
        """Distance first, then different professions: a move changes two pairs at most,
        so a weight of 3 keeps one step of distance above any change in professions."""
        distance = int(instance.distance[r, a]) + instance.pair_distance(a, partner)
        return 3 * distance + (profession[a] != profession[partner])

    def fits(r: int, a: int, partner: int, leaving: int | None = None) -> bool:
        return not _broken(instance, r, a, partner, [q for q in uses[a] if q not in (r, leaving)])

    def keeps_commitments(a: int, leaving: int, joining: int | None = None) -> bool:
        after = uses[a] - {leaving} | ({joining} if joining is not None else set())
        return (leaving, a) not in locked and (
            not _completes(instance, a, uses[a]) or _completes(instance, a, after))

    def put(r: int, member: int, a: int) -> None:
        plan[r] = tuple(a if m == member else m for m in plan[r])
        uses[member].discard(r)
        uses[a].add(r)

    def best_move(r: int, member: int, partner: int):
        """The newcomer, the request they leave (if any) and who takes their place there."""
        now, best = score(r, member, partner), (0, None, None, None)
        for a in map(int, np.flatnonzero(mask[r])):
            gain = score(r, a, partner) - now
            if a in plan[r] or gain <= best[0]:
                continue
            if fits(r, a, partner):
                best = (gain, a, None, None)
                continue
            for q in uses[a] - {r}:
                if not (fits(r, a, partner, leaving=q) and keeps_commitments(a, q, joining=r)):
                    continue
                other = next(m for m in plan[q] if m != a)
                for c in map(int, np.flatnonzero(mask[q])):
                    net = gain - score(q, a, other) + score(q, c, other)
                    if net > best[0] and c not in plan[q] and (
                            fits(q, c, other, leaving=r) if c == member else c != partner and fits(q, c, other)):
                        best = (net, a, q, c)
        return best[1:]

    for _round in range(rounds):
        improved = False
        for r in list(plan):
            for slot in (0, 1):
                member, partner = plan[r][slot], plan[r][1 - slot]
                if not keeps_commitments(member, r):
                    continue  # this process is what brings the member to both commitments
                a, q, c = best_move(r, member, partner)
                if a is None:
                    continue
                if q is not None:
                    put(q, a, c)
                put(r, member, a)
                improved = True
        if not improved:
            break
    return plan


def _completes(instance: Instance, a: int, requests: list[int]) -> bool:
    """Whether ambassador ``a`` has both commitments met or planned with these processes."""
    ambassador, own = instance.ambassadors[a], instance.own
    return ((ambassador.own_done or any(own[r, a] for r in requests))
            and (ambassador.other_done or any(not own[r, a] for r in requests)))


def why_unstaffed(instance: Instance, r: int, assignments: Assignments) -> Unstaffed:
    request = instance.requests[r]
    free = [int(a) for a in np.flatnonzero(instance.free[r])]
    if not free:
        reason = "nobody_free"
    elif len(free) == 1:
        reason = "one_free"
    elif len({instance.department[a] for a in free}) == 1:
        reason = "one_department"
    else:
        reason = "taken"  # free ones are needed on other requests or have no capacity left
    return Unstaffed(request.id, reason, len(free))


def explain(instance: Instance, assignments: Assignments, **plan_fields) -> Plan:
    """The plan with the facts behind every pair and every request left unstaffed."""
    own, other = defaultdict(list), defaultdict(list)
    for r, pair in sorted(assignments.items()):
        for n in pair:
            (own if instance.own[r, n] else other)[n].append(r)
    locked = set(instance.locks)
    result = []
    for r, (a, b) in sorted(assignments.items()):
        request = instance.requests[r]
        commitments = []
        for n in (a, b):
            member = instance.ambassadors[n]
            if instance.own[r, n] and not member.own_done and own[n][0] == r:
                commitments.append((member.id, "own"))
            elif not instance.own[r, n] and not member.other_done and other[n][0] == r:
                commitments.append((member.id, "other"))
        first, second = instance.ambassadors[a], instance.ambassadors[b]
        reasons = PairReasons(
            commitments=tuple(commitments),
            pair_relation=instance.relation(first.workplace, second.workplace),
            relations=(instance.relation(request.workplace, first.workplace),
                       instance.relation(request.workplace, second.workplace)),
            professions=(first.profession, second.profession),
            repeated=second.id in first.partners,
            locked=tuple(instance.ambassadors[n].id for n in (a, b) if (r, n) in locked),
        )
        result.append(Assignment(request.id, (first.id, second.id), reasons))
    unstaffed = tuple(why_unstaffed(instance, r, assignments) for r in range(len(instance.requests)) if r not in assignments)
    return Plan(assignments=tuple(result), unstaffed=unstaffed, objective=evaluate(instance, assignments), **plan_fields)
