"""The leaders' dashboard and the core-task library on a generated organisation: time to
render each page and the number of SQL queries it runs, at two sizes, so a count that grows
with the data would show. In process (Flask's test client) on a SQLite file, as one worker.

Prints figures; asserts nothing.

    .venv/bin/python bench/dashboard.py [--processes 2000] [--tasks-per-process 10] [--rounds 10]
"""
import argparse
import random
import statistics
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

from _harness import ROOT, busy_loop_ms
from flask_migrate import upgrade
from sqlalchemy import event, insert
from werkzeug.security import generate_password_hash

from kerne import create_app
from kerne.models import (
    Ambassador,
    CoreTaskDraft,
    LeaderUnit,
    OrgUnit,
    Participant,
    Process,
    ProcessFacilitator,
    ProcessRequest,
    TargetGroup,
    TargetGroupAlias,
    User,
    Visit,
    WorkTask,
)
from kerne.web.extensions import db

PASSWORD = "bench-password"
GROUPS = ["Ældre borgere", "Børn 0-6 år", "Skolebørn", "Unge", "Forældre", "Borgere i job", "Pårørende",
          "Borgere med handicap", "Borgere i genoptræning", "Foreninger"]
WORDS = ["læring", "tryghed", "mestring", "fællesskab", "sundhed", "trivsel", "selvstændighed", "værdighed",
         "nærvær", "glæde", "udvikling", "ansvar"]


def generate(processes: int, tasks_per_process: int, seed: int = 8) -> None:
    """An organisation of 6 areas × 8 departments × 10 workplaces, 200 ambassadors, ``processes``
    processes in every state with two visits, participants, drafts and work tasks; bulk inserted."""
    rng = random.Random(seed)
    today = date.today()
    units, workplaces, areas = [], [], []
    unit_id = 0
    for a in range(6):
        unit_id += 1
        area = unit_id
        areas.append(area)
        units.append({"id": area, "name": f"Område {a + 1}", "kind": "area", "parent_id": None})
        for d in range(8):
            unit_id += 1
            department = unit_id
            units.append({"id": department, "name": f"Afdeling {a + 1}.{d + 1}", "kind": "department",
                          "parent_id": area})
            for w in range(10):
                unit_id += 1
                workplaces.append(unit_id)
                units.append({"id": unit_id, "name": f"Arbejdsplads {a + 1}.{d + 1}.{w + 1}", "kind": "workplace",
                              "parent_id": department})
    db.session.execute(insert(OrgUnit), units)
    password = generate_password_hash(PASSWORD)
    db.session.execute(insert(User), [
        {"id": 1, "email": "koordinator@bench.dk", "name": "Koordinator", "roles": "coordinator",
         "password_hash": password, "sees_whole_organisation": False, "active": True},
        {"id": 2, "email": "omraade@bench.dk", "name": "Områdechef", "roles": "leader", "password_hash": password,
         "sees_whole_organisation": False, "active": True}])
    db.session.execute(insert(LeaderUnit), [{"user_id": 2, "unit_id": areas[0]}])
    db.session.execute(insert(Ambassador), [
        {"id": n, "name": f"Ambassadør {n}", "email": f"a{n}@bench.dk", "workplace_id": rng.choice(workplaces),
         "profession": rng.choice(["Pædagog", "Sygeplejerske", "Lærer"]), "active": True, "capacity": 3,
         "calendar_token": f"token-{n:040d}"} for n in range(1, 201)])
    db.session.execute(insert(TargetGroup), [{"id": n, "name": name} for n, name in enumerate(GROUPS, 1)])
    db.session.execute(insert(TargetGroupAlias), [{"text": name.lower(), "target_group_id": n}
                                                  for n, name in enumerate(GROUPS, 1)])
    process_rows, request_rows, visit_rows, draft_rows, task_rows, people, pairs = [], [], [], [], [], [], []
    visit_id = task_id = participant_id = 0
    for p in range(1, processes + 1):
        created = datetime.combine(today - timedelta(days=rng.randrange(0, 400)), datetime.min.time())
        workplace = rng.choice(workplaces)
        progress = rng.random()  # how far the process has come
        process_rows.append({"id": p, "workplace_id": workplace, "target_groups": rng.choice(GROUPS),
                             "created_at": created, "cancelled_at": created if progress < .04 else None,
                             "cancel_reason": "", "meeting_place": "", "meeting_sequence": 0})
        request_rows.append({"id": p, "workplace_id": workplace, "contact_name": "Kontakt",
                             "contact_email": f"kontakt{p}@bench.dk", "target_groups": rng.choice(GROUPS),
                             "visit1_start": created.date(), "visit1_end": created.date(),
                             "visit2_start": created.date() + timedelta(days=21),
                             "visit2_end": created.date() + timedelta(days=21), "notes": "", "status": "planned",
                             "process_id": p, "created_at": created, "cancel_reason": ""})
        pairs += [{"process_id": p, "ambassador_id": a} for a in rng.sample(range(1, 201), 2)]
        for number in (1, 2):
            visit_id += 1
            status = "closed" if progress > (.2 if number == 1 else .45) else "planned"
            visit_rows.append({"id": visit_id, "public_id": f"v{visit_id:012d}", "process_id": p, "number": number,
                               "scheduled_on": created.date() + timedelta(days=21 * number), "status": status,
                               "version": rng.randrange(1, 400), "step_position": 1, "dots_per_participant": 3,
                               "playbook_id": 1 if status == "closed" else None})
            if status == "closed":
                for _n in range(rng.randrange(5, 40)):
                    participant_id += 1
                    people.append({"id": participant_id, "visit_id": visit_id, "joined_at": created})
            if number == 1 and status == "closed":
                draft_rows.append({"visit_id": visit_id, "target_group": rng.choice(GROUPS), "effect": "", "approach": "",
                                   "ambition": "", "core_task": " ".join(rng.sample(WORDS, 5)) + " for borgerne",
                                   "locked_at": created + timedelta(days=21) if progress > .3 else None})
            if number == 2:
                for t in range(tasks_per_process):
                    task_id += 1
                    decided = status == "closed"
                    follow = created.date() + timedelta(days=rng.randrange(40, 500))
                    task_rows.append({
                        "id": task_id, "visit_id": visit_id, "position": t + 1, "title": f"Opgave {task_id}",
                        "decision": rng.choice(["develop", "keep", "phase_out"]) if decided else "undecided",
                        "rationale": "", "owner": "Leder" if progress > .55 else "", "deadline": follow,
                        "follow_up_on": follow, "removed": False, "created_at": created,
                        "follow_up_mark": rng.choice(["done", "changed", "dropped"]) if progress > .75 else None,
                        "follow_up_note": "", "followed_up_at": created + timedelta(days=60) if progress > .75 else None})
    for table, rows in ((Process, process_rows), (ProcessRequest, request_rows), (ProcessFacilitator, pairs),
                        (Visit, visit_rows), (CoreTaskDraft, draft_rows), (WorkTask, task_rows),
                        (Participant, people)):
        for start in range(0, len(rows), 5000):
            db.session.execute(insert(table), rows[start:start + 5000])
    db.session.commit()


def measure(client, path: str, rounds: int, queries: list, cold=None) -> tuple[float, float, int, int]:
    """(median ms, slowest ms, queries, status) over ``rounds`` renders after one warm-up;
    ``cold`` is called before each render (to empty a cache)."""
    client.get(path)
    times, counts, status = [], [], 0
    for _n in range(rounds):
        if cold:
            cold()
        queries.clear()
        started = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - started) * 1000)
        counts.append(len(queries))
        status = response.status_code
    return statistics.median(times), max(times), max(counts), status


def run(processes: int, tasks_per_process: int, rounds: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                          "MAIL_INTERVAL_SECONDS": 0})
        with app.app_context():
            upgrade(directory=str(ROOT / "migrations"))
            generate(processes, tasks_per_process)
            queries: list = []
            event.listen(db.engine, "before_cursor_execute", lambda *args: queries.append(args[2]))
            print(f"\n{processes} processes, {processes * tasks_per_process} work tasks "
                  f"(6 areas, 48 departments, 480 workplaces, 200 ambassadors)")
            print(f"{'who':<12} {'page':<34} {'median ms':>10} {'slowest':>8} {'queries':>8} {'status':>7}")
            for who, email in (("coordinator", "koordinator@bench.dk"), ("area leader", "omraade@bench.dk")):
                client = app.test_client()
                client.post("/login", data={"email": email, "password": PASSWORD})
                since = client.get("/dashboard").get_data(as_text=True).split('data-version="')[1].split('"')[0]
                def forget():  # the first render after a change: the figures are worked out again
                    app.extensions["kerne.figures"].figures.clear()

                pages = [("/dashboard (changed data)", "/dashboard", forget), ("/dashboard (figures kept)", "/dashboard", None),
                         ("/dashboard/changes (204)", f"/dashboard/changes?since={since}", None)]
                pages += [(p, p, None) for p in ("/dashboard?period=year", "/dashboard/report", "/library",
                                                 "/library/results?q=tryghed+borgerne",
                                                 "/library/results?q=ældre&group=1", "/processes?state=follow_up",
                                                 "/tasks?follow_up=overdue")]
                for label, path, cold in pages:
                    median, slowest, count, status = measure(client, path, rounds, queries, cold)
                    print(f"{who:<12} {label[:34]:<34} {median:10.1f} {slowest:8.1f} {count:8d} {status:7d}")
            db.session.remove()
            db.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=2000)
    parser.add_argument("--tasks-per-process", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=10)
    args = parser.parse_args()
    print(f"busy loop: {busy_loop_ms():.1f} ms for 1 000 000 steps of Python (lower: a faster, less busy machine)")
    run(args.processes // 10, args.tasks_per_process, args.rounds)  # the same pages on a tenth of the data
    run(args.processes, args.tasks_per_process, args.rounds)
    print(f"busy loop: {busy_loop_ms():.1f} ms")


if __name__ == "__main__":
    main()
