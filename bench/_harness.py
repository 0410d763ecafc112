"""What the benchmarks share: a prepared database (SQLite, or any URL) with open
visits, a server under gunicorn on loopback, and the participants' join cookies."""
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import suppress
from datetime import date
from pathlib import Path
from typing import Self
from urllib.error import HTTPError
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


class Gunicorn:
    """``app_spec`` under gunicorn with the shipped gunicorn.conf.py, on a free loopback port.

    A context manager: serving inside the ``with``. The server runs in a process
    group of its own, so ``crash()`` kills the master and its workers at once, as the
    OOM killer or ``docker kill`` would, and ``start()`` brings it back on the same port.
    """

    def __init__(self, app_spec: str, env: dict, workers: int, threads: int):
        self.command = [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "gunicorn.conf.py"),
                        "--workers", str(workers), "--threads", str(threads), "--log-level", "warning", app_spec]
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stop()

    def start(self) -> None:
        """Start serving and return once it answers."""
        self.process = subprocess.Popen([*self.command, "--bind", f"127.0.0.1:{self.port}"], cwd=ROOT, env=self.env,
                                        start_new_session=True)
        deadline = time.monotonic() + 120  # a 2-core machine shared by several test suites
        while True:
            try:
                urlopen(self.base + "/ready", timeout=1).close()
            except HTTPError as error:  # any HTTP answer means it is up
                error.close()
                return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.crash()
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.1)
            else:
                return

    def crash(self) -> None:
        """SIGKILL to the master and every worker: no request finishes, no connection is closed politely."""
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:  # still busy with a backlog: the figures are worth printing anyway
            self.crash()


def prepare(url: str, rooms: int, phones_per_room: int, step: int = 3, ideas_per_room: int = 10):
    """A migrated database with ``rooms`` open visits at ``step`` and joined phones.

    Returns the app (for reading results) and, per room, the visit and the
    phones' cookies.
    """
    from flask_migrate import upgrade

    from kerne import create_app
    from kerne.models import Ambassador, Idea, OrgUnit, Participant, Process, Visit
    from kerne.web.extensions import db
    from kerne.workshop import identity
    from kerne.workshop.visits import go_to_step, open_visit, steps_of

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


def busy_loop_ms() -> float:
    """Milliseconds for a fixed pure-Python loop, best of three: how fast the machine runs while the
    figures are taken (a shared host can run at a fraction of its usual speed for minutes)."""
    best = float("inf")
    for _n in range(3):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def server_env(url: str) -> dict:
    return {"DATABASE_URL": url, "SECRET_KEY": SECRET}
