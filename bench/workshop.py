"""A busy morning: N phones in rooms of 30, each polling every 2 s and saving an
edit every 10 s (a new idea, or a change to its own words in the shared core-task
draft), against Kerne under gunicorn on SQLite. Afterwards every edit sent is
looked for in the database.

Prints latency percentiles, errors, and edits sent vs found; asserts nothing.

    .venv/bin/python bench/workshop.py [--phones 300] [--room-size 30] [--seconds 60]
"""
import argparse
import html
import http.client
import random
import re
import statistics
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from _harness import gunicorn, prepare, server_env, server_settings

PARTS = ("target_group", "effect", "approach", "ambition", "core_task")


class Phone(threading.Thread):
    def __init__(self, base: str, room: dict, number: int, seconds: float, poll_every: float, edit_every: float,
                 record, rng: random.Random):
        super().__init__(daemon=True)
        self.address = urlsplit(base).netloc
        self.room, self.number, self.record, self.rng = room, number, record, rng
        self.cookie = room["cookies"][number]
        self.path = f"/w/{room['public_id']}"
        self.seconds, self.poll_every, self.edit_every = seconds, poll_every, edit_every
        self.version = 0
        self.bases = {part: "" for part in PARTS}
        self.part = PARTS[number % len(PARTS)]
        self.sent: list[str] = []
        self.connection = None
        self.token = None

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        body = urlencode(form) if form is not None else None
        headers = {"Cookie": self.cookie}
        if form is not None:
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.token})
        for attempt in (1, 2):
            try:
                if self.connection is None:
                    self.connection = http.client.HTTPConnection(self.address, timeout=30)
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode()
                for header, value in response.getheaders():  # keep the session cookie (CSRF)
                    if header.lower() == "set-cookie" and value.startswith("session="):
                        self.cookie = f"{self.cookie.split('; session=')[0]}; {value.split(';')[0]}"
                return response.status, text
            except (http.client.HTTPException, OSError):
                self.connection = None
                if attempt == 2:
                    return 0, ""
        return 0, ""

    def absorb(self, text: str) -> None:
        """Take the version and the fields' saved values from a live block, as the page does."""
        match = re.search(r'data-version="(\d+)"', text)
        if match:
            self.version = int(match.group(1))
        for part, value in re.findall(r'id="f-draft-\d+-(\w+)"[^>]*?data-base="([^"]*)"', text, re.DOTALL):
            self.bases[part] = html.unescape(value)

    def poll(self) -> None:
        started = time.perf_counter()
        status, text = self.request("GET", f"{self.path}/changes?since={self.version}")
        self.record("poll (changed)" if status == 200 else "poll (unchanged)", time.perf_counter() - started, status)
        if status == 200:
            self.absorb(text)

    def edit(self, count: int) -> None:
        marker = f"m{self.room['visit_id']}x{self.number}x{count}"
        self.sent.append(marker)
        started = time.perf_counter()
        if count % 2:
            status, text = self.request("POST", f"{self.path}/ideas", {
                "text": f"Idé {marker}", "tag": "effect", "step": self.room["idea_step"], "edit_id": uuid.uuid4().hex})
            kind = "save (new idea)"
        else:
            base = self.bases[self.part]
            own = re.compile(rf"\bm{self.room['visit_id']}x{self.number}x\d+\b")
            mine = own.sub(marker, base, count=1) if own.search(base) else f"{base} {marker}".strip()
            status, text = self.request("POST", f"{self.path}/draft/{self.part}",
                                        {"value": mine, "base": base, "edit_id": uuid.uuid4().hex})
            kind = "save (draft)"
            if status == 204:
                self.bases[self.part] = mine
        self.record(kind, time.perf_counter() - started, status)
        if status == 200:
            self.absorb(text)

    def open_page(self) -> None:
        """Load the participant page, as the phone did when it joined (not measured)."""
        _status, text = self.request("GET", self.path)
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', text).group(1)
        self.absorb(text)

    def run(self) -> None:
        start = time.monotonic()
        next_poll = start + self.rng.uniform(0, self.poll_every)
        next_edit = start + self.rng.uniform(0, self.edit_every)
        count = 0
        while True:
            now = time.monotonic()
            if now - start > self.seconds:
                return
            if now >= next_edit:
                self.edit(count)
                count += 1
                next_edit += self.edit_every
            elif now >= next_poll:
                self.poll()
                next_poll += self.poll_every
            else:
                time.sleep(min(next_poll, next_edit) - now)


def warm_up(base: str, rooms: list[dict], workers: int) -> None:
    """Let every worker compile its templates before the clock starts."""
    address = urlsplit(base).netloc
    for room in rooms:
        for _ in range(workers * 2):
            connection = http.client.HTTPConnection(address, timeout=30)
            connection.request("GET", f"/w/{room['public_id']}/changes?since=0", headers={"Cookie": room["cookies"][0]})
            connection.getresponse().read()
            connection.close()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=300)
    parser.add_argument("--room-size", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--poll-every", type=float, default=2)
    parser.add_argument("--edit-every", type=float, default=10)
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py's")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py's")
    args = parser.parse_args()
    args.workers, args.threads = server_settings(args.workers, args.threads)

    rooms_needed = -(-args.phones // args.room_size)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = Path(tmp) / "workshop.sqlite"
        app, rooms = prepare(db_path, rooms=rooms_needed, phones_per_room=args.room_size)
        samples: dict[str, list[float]] = defaultdict(list)
        errors: dict[int, int] = defaultdict(int)
        lock = threading.Lock()

        def record(kind: str, seconds: float, status: int) -> None:
            with lock:
                samples[kind].append(seconds)
                if status not in (200, 204):
                    errors[status] += 1

        rng = random.Random(7)
        with gunicorn("app:app", server_env(db_path), args.workers, args.threads) as base:
            warm_up(base, rooms, args.workers)
            phones = [Phone(base, rooms[n // args.room_size], n % args.room_size, args.seconds, args.poll_every,
                            args.edit_every, record, random.Random(rng.random())) for n in range(args.phones)]
            for phone in phones:
                phone.open_page()
            for phone in phones:
                phone.start()
            for phone in phones:
                phone.join()
        sent = [marker for phone in phones for marker in phone.sent]
        found = markers_in_database(app, sent)

    everything = [s for values in samples.values() for s in values]
    print(f"{args.phones} phones in rooms of {args.room_size}, polling every {args.poll_every:g} s, "
          f"editing every {args.edit_every:g} s, for {args.seconds:g} s; gunicorn {args.workers}×{args.threads}, SQLite")
    print(f"  {'requests':18} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in sorted(samples) + ["all"]:
        values = everything if kind == "all" else samples[kind]
        print(f"  {kind:18} {len(values):7d} {percentile(values, .5):8.1f} {percentile(values, .95):8.1f} "
              f"{percentile(values, .99):8.1f}")
    print(f"  throughput {len(everything) / args.seconds:.0f} req/s, mean {statistics.mean(everything) * 1000:.1f} ms")
    print(f"errors: {sum(errors.values())} {dict(errors) if errors else ''}")
    print(f"edits sent {len(sent)}, found afterwards {found}, lost {len(sent) - found}")


def markers_in_database(app, markers: list[str]) -> int:
    """How many edits left a trace: in a current text or in the revision history."""
    from sqlalchemy import select

    from kerne.extensions import db
    from kerne.models import CoreTaskDraft, Idea, Revision

    with app.app_context():
        texts = list(db.session.scalars(select(Idea.text)))
        texts += list(db.session.scalars(select(Revision.value)))
        for draft in db.session.scalars(select(CoreTaskDraft)):
            texts += [getattr(draft, part) for part in PARTS]
    words = set(re.findall(r"m\d+x\d+x\d+", " ".join(texts)))
    return sum(1 for marker in markers if marker in words)


if __name__ == "__main__":
    main()
