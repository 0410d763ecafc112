"""What the benchmarks share: a prepared SQLite database with open visits, a
server under gunicorn on loopback, and the participants' join cookies."""
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SECRET = "benchmark-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_settings(workers: int | None = None, threads: int | None = None) -> tuple[int, int]:
    """The workers and threads gunicorn will run: ours if given, else gunicorn.conf.py's."""
    import runpy

    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return workers or config["workers"], threads or config["threads"]


@contextmanager
def gunicorn(app_spec: str, env: dict, workers: int, threads: int):
    """Serve ``app_spec`` under gunicorn with the shipped gunicorn.conf.py, on a free loopback port."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"), "--workers", str(workers),
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", app_spec],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **env},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urlopen(base + "/ready", timeout=1)
        except OSError as error:
            if getattr(error, "code", None):  # any HTTP answer means it is up
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.1)
        else:
            break
    try:
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # still busy with a backlog: the figures are worth printing anyway
            process.kill()
            process.wait()


def prepare(db_path: Path, rooms: int, phones_per_room: int, step: int = 3, ideas_per_room: int = 10):
    """A migrated database with ``rooms`` open visits at ``step`` and joined phones.

    Returns the app (for reading results) and, per room, the visit and the
    phones' cookies.
    """
    from flask_migrate import upgrade

    from kerne import create_app
    from kerne.extensions import db
    from kerne.models import Ambassador, Idea, OrgUnit, Participant, Process, Visit
    from kerne.workshop import identity
    from kerne.workshop.visits import go_to_step, open_visit, steps_of

    url = f"sqlite:///{db_path}"
    app = create_app({"SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url})
    rooms_out = []
    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"))
        area = OrgUnit(name="Område", kind="area")
        departments = [OrgUnit(name=f"Afdeling {n}", kind="department", parent=area) for n in range(2)]
        db.session.add(area)
        for room in range(rooms):
            workplaces = [OrgUnit(name=f"Arbejdsplads {room}-{n}", kind="workplace", parent=d)
                          for n, d in enumerate(departments)]
            pair = [Ambassador(name=f"Ambassadør {room}-{n}", email=f"a{room}-{n}@bench.invalid", profession="Pædagog",
                               workplace=w) for n, w in enumerate(workplaces)]
            process = Process(workplace=workplaces[0], facilitators=pair)
            process.visits = [Visit(number=1, scheduled_on=date.today())]
            db.session.add(process)
            db.session.flush()
            visit = process.visits[0]
            open_visit(visit)
            go_to_step(visit, step)
            phones = [Participant(visit_id=visit.id, display_name=f"Telefon {n}") for n in range(phones_per_room)]
            db.session.add_all(phones)
            db.session.flush()
            idea_step = steps_of(visit)[1]
            for n in range(ideas_per_room):
                db.session.add(Idea(visit_id=visit.id, step_id=idea_step.id, text=f"Idé nummer {n} om kerneopgaven",
                                    tag="effect", participant_id=phones[n % len(phones)].id))
            rooms_out.append({"visit_id": visit.id, "public_id": visit.public_id, "idea_step": idea_step.id,
                              "phones": [p.id for p in phones]})
        db.session.commit()
        with app.test_request_context():
            for room in rooms_out:
                room["cookies"] = [identity.cookie(room["public_id"], pid) for pid in room["phones"]]
    return app, rooms_out


def server_env(db_path: Path) -> dict:
    return {"DATABASE_URL": f"sqlite:///{db_path}", "SECRET_KEY": SECRET}
