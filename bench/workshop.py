"""A busy morning: N phones in rooms of 30, each polling every 2 s and saving an
edit every 10 s (a new idea, or a change to its own words in the shared core-task
draft), against Kerne under gunicorn on SQLite. Afterwards every edit sent is
looked for in the database, and every edit the server acknowledged in the revision
history under its edit id.

With --crash-at S, gunicorn (master and workers) is killed with SIGKILL S seconds in
and started again; the phones carry on by themselves. --short is the form that
tests/test_fault.py runs in CI with a crash, on SQLite and PostgreSQL: 50 phones, 20 s,
gunicorn 2 × 4.

Prints latency percentiles, errors, and edits sent, acknowledged and found; asserts nothing.

    .venv/bin/python bench/workshop.py [--phones 300] [--room-size 30] [--seconds 60] [--short] [--crash-at S]
"""
import argparse
import html
import http.client
import math
import random
import re
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from _harness import Gunicorn, busy_loop_ms, prepare, server_env, server_settings

PARTS = ("target_group", "effect", "approach", "ambition", "core_task")
MARKER = re.compile(r"\bm\d+x\d+x\d+\b")
FULL = {"phones": 300, "room_size": 30, "seconds": 60, "poll_every": 2, "edit_every": 10}
# The form tests/test_fault.py runs, on the suite's server layout (conftest.running_server): half the imports per start.
SHORT = {**FULL, "phones": 50, "seconds": 20, "workers": 2, "threads": 4}
# What static/kerne.js waits for and retries after, in seconds (see Phone).
POLL_TIMEOUT = 5  # the poller's hx-request timeout in templates/workshop/_board.html
SAVE_TIMEOUT = 6  # SAVE_TIMEOUT_MS
RETRY_AFTER = 3  # RETRY_MS
# kerne.js never gives up on a save; a phone here resends for this long after its time is up.
DRAIN = 30
# After a crash the phones go on until each has polled and saved on the new server, at most this long:
# a slow restart leaves a backlog of requests the phones gave up on, which the server still answers first.
RESUME_LIMIT = 90


@dataclass
class Answer:
    kind: str
    at: float  # time.monotonic() when it was sent
    seconds: float
    status: int  # 0: no answer (refused, reset or timed out)


@dataclass
class Save:
    kind: str
    marker: str
    path: str
    form: dict
    part: str | None = None  # the draft part whose saved value becomes the next base


class Phone(threading.Thread):
    """One participant's phone, talking to the server as static/kerne.js does.

    - It polls ``changes?since=V`` every ``poll_every`` s and takes the version and the
      fields' saved values from a changed block. A poll with no answer in 5 s is given
      up; the next comes as usual.
    - A save carries an edit id (a draft save also the base it started from). A save
      with no answer (refused, reset, none in 6 s) or a 5xx is sent again as it was
      (same id, value and base) every 3 s until it is answered: kerne.js's
      ``unanswered`` entry of a live field, and the idea form, which keeps its edit id
      until it succeeds and is resent every 3 s. What the person types meanwhile waits
      behind it, as in kerne.js's queue (one per field there, one per phone here: its
      edits are 10 s apart).
    - A request on a kept-alive connection the server has closed is sent once more at
      once on a new one, as browsers do.
    - Any other answer is final: 2xx acknowledges the edit; a 4xx leaves the text with
      its author in kerne.js and fails the fault test. The phone never joins again or
      reloads: its join cookie and its session (with the CSRF token) are signed with the
      server's secret, which a restart keeps.
    """

    def __init__(self, base: str, room: dict, number: int, poll_every: float, edit_every: float, rng: random.Random):
        super().__init__(daemon=True)
        self.address = urlsplit(base).netloc
        self.room, self.number, self.rng = room, number, rng
        self.cookie = room["cookies"][number]
        self.path = f"/w/{room['public_id']}"
        self.poll_every, self.edit_every = poll_every, edit_every
        self.end = math.inf  # time.monotonic() when the person stops editing: set by whoever runs the phone
        self.abandoned = False  # the run went wrong: stop at once
        self.version = 0
        self.bases = {part: "" for part in PARTS}
        self.part = PARTS[number % len(PARTS)]
        self.answers: list[Answer] = []
        self.sent: list[str] = []
        self.acknowledged: dict[str, str] = {}  # marker → edit id
        self.unanswered: Save | None = None
        self.retry_at = 0.0
        self.resent = 0
        self.connection = None
        self.token = None

    def request(self, method: str, path: str, form: dict | None, timeout: float) -> tuple[int, str]:
        body = urlencode(form) if form is not None else None
        headers = {"Cookie": self.cookie}
        if form is not None:
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": self.token})
        while True:
            kept_alive = self.connection is not None
            if not kept_alive:
                self.connection = http.client.HTTPConnection(self.address)
            self.connection.timeout = timeout
            try:
                if self.connection.sock is not None:
                    self.connection.sock.settimeout(timeout)
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode()
            except (http.client.HTTPException, OSError) as error:
                self.hang_up()
                if kept_alive and not isinstance(error, TimeoutError):
                    continue
                return 0, ""
            for header, value in response.getheaders():  # keep the session cookie (CSRF)
                if header.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = f"{self.cookie.split('; session=')[0]}; {value.split(';')[0]}"
            return response.status, text

    def hang_up(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def absorb(self, text: str) -> None:
        """Take the version and the fields' saved values from a live block, as the page does."""
        match = re.search(r'data-version="(\d+)"', text)
        if match:
            self.version = int(match.group(1))
        for part, value in re.findall(r'id="f-draft-\d+-(\w+)"[^>]*?data-base="([^"]*)"', text, re.DOTALL):
            self.bases[part] = html.unescape(value)

    def poll(self) -> None:
        started = time.monotonic()
        status, text = self.request("GET", f"{self.path}/changes?since={self.version}", None, POLL_TIMEOUT)
        kind = "poll (changed)" if status == 200 else "poll (unchanged)"
        self.answers.append(Answer(kind, started, time.monotonic() - started, status))
        if status == 200:
            self.absorb(text)

    def edit(self, count: int) -> None:
        marker = f"m{self.room['visit_id']}x{self.number}x{count}"
        self.sent.append(marker)
        if count % 2:
            self.send(Save("save (new idea)", marker, f"{self.path}/ideas", {
                "text": f"Idé {marker}", "tag": "effect", "step": self.room["idea_step"], "edit_id": uuid.uuid4().hex}))
        else:
            base = self.bases[self.part]
            own = re.compile(rf"\bm{self.room['visit_id']}x{self.number}x\d+\b")
            mine = own.sub(marker, base, count=1) if own.search(base) else f"{base} {marker}".strip()
            self.send(Save("save (draft)", marker, f"{self.path}/draft/{self.part}",
                           {"value": mine, "base": base, "edit_id": uuid.uuid4().hex}, part=self.part))

    def send(self, save: Save) -> None:
        started = time.monotonic()
        status, text = self.request("POST", save.path, save.form, SAVE_TIMEOUT)
        self.answers.append(Answer(save.kind, started, time.monotonic() - started, status))
        if status == 0 or status >= 500:
            self.unanswered, self.retry_at = save, time.monotonic() + RETRY_AFTER
            return
        self.unanswered = None
        if status >= 300:
            return
        self.acknowledged[save.marker] = save.form["edit_id"]
        if save.part:
            self.bases[save.part] = save.form["value"]
        if status == 200:
            self.absorb(text)

    def resumed(self, since: float) -> bool:
        """Whether a poll and a save sent since then were answered."""
        answered = {answer.kind.split()[0] for answer in list(self.answers)
                    if answer.at >= since and 200 <= answer.status < 300}
        return answered == {"poll", "save"}

    def open_page(self) -> None:
        """Load the participant page, as the phone did when it joined (not measured)."""
        _status, text = self.request("GET", self.path, None, timeout=30)
        self.token = re.search(r'"X-CSRFToken": "([^"]+)"', text).group(1)
        self.absorb(text)

    def run(self) -> None:
        start = time.monotonic()
        next_poll = start + self.rng.uniform(0, self.poll_every)
        next_edit = start + self.rng.uniform(0, self.edit_every)
        count = 0
        try:
            while True:
                now = time.monotonic()
                on = now < self.end
                if self.abandoned or (not on and (self.unanswered is None or now > self.end + DRAIN)):
                    return
                if self.unanswered is not None and now >= self.retry_at:
                    self.resent += 1
                    self.send(self.unanswered)
                elif on and self.unanswered is None and now >= next_edit:
                    self.edit(count)
                    count += 1
                    next_edit = next_slot(next_edit, self.edit_every)
                elif on and now >= next_poll:
                    self.poll()
                    next_poll = next_slot(next_poll, self.poll_every)
                else:
                    due = [next_edit] if self.unanswered is None else [self.retry_at]
                    time.sleep(min((due + [next_poll]) if on else due) - now)
        finally:
            self.hang_up()


def next_slot(due: float, every: float) -> float:
    """The schedule's first time still ahead: a phone held up skips what it missed, as
    kerne.js's timers do, instead of catching up in a burst."""
    missed = (time.monotonic() - due) // every
    return due + every * (max(missed, 0) + 1)


def warm_up(base: str, rooms: list[dict], workers: int) -> None:
    """Let every worker compile its templates before the clock starts."""
    address = urlsplit(base).netloc
    for room in rooms:
        for _ in range(workers * 2):
            connection = http.client.HTTPConnection(address, timeout=30)
            connection.request("GET", f"/w/{room['public_id']}/changes?since=0", headers={"Cookie": room["cookies"][0]})
            connection.getresponse().read()
            connection.close()


@dataclass
class Morning:
    """What the phones saw, and what the database holds of their edits afterwards."""
    phones: list[Phone]
    found: int  # edits sent that left a trace
    missing: list[str]  # acknowledged edits with no revision of their edit id carrying them
    twice: list[str]  # ideas added more than once (a resend applied again)
    crashed_at: float | None = None  # time.monotonic()
    restarted_at: float | None = None


def workshop(url: str, phones: int, room_size: int, seconds: float, poll_every: float, edit_every: float,
             workers: int, threads: int, crash_at: float | None = None, seed: int = 7) -> Morning:
    """Run the morning against a migrated database at ``url``, killing gunicorn ``crash_at`` s in."""
    app, rooms = prepare(url, rooms=-(-phones // room_size), phones_per_room=room_size)
    rng = random.Random(seed)
    crashed_at = restarted_at = None
    with Gunicorn("app:app", server_env(url), workers, threads) as server:
        warm_up(server.base, rooms, workers)
        crowd = [Phone(server.base, rooms[n // room_size], n % room_size, poll_every, edit_every,
                       random.Random(rng.random())) for n in range(phones)]
        for phone in crowd:
            phone.open_page()
        begin = time.monotonic()
        for phone in crowd:
            if crash_at is None:
                phone.end = begin + seconds
            phone.start()
        try:
            if crash_at is not None:
                time.sleep(crash_at)
                crashed_at = time.monotonic()
                server.crash()
                server.start()
                restarted_at = time.monotonic()
                while (time.monotonic() < restarted_at + RESUME_LIMIT
                       and not all(phone.resumed(restarted_at) for phone in crowd)):
                    time.sleep(0.5)
                for phone in crowd:
                    phone.end = max(begin + seconds, time.monotonic())
        except BaseException:
            for phone in crowd:
                phone.abandoned = True
            raise
        finally:
            for phone in crowd:
                phone.join()
    found, missing, twice = look_up(app, crowd)
    return Morning(crowd, found, missing, twice, crashed_at, restarted_at)


def look_up(app, phones: list[Phone]) -> tuple[int, list[str], list[str]]:
    """How many edits sent left a trace (in a current text or the revision history), which
    acknowledged edits have no revision of their edit id carrying them, and which ideas are there twice."""
    from sqlalchemy import select

    from kerne.models import CoreTaskDraft, Idea, Revision
    from kerne.web.extensions import db

    with app.app_context():
        ideas = list(db.session.scalars(select(Idea.text)))
        revisions = db.session.execute(select(Revision.edit_id, Revision.value)).all()
        drafts = [getattr(draft, part) for draft in db.session.scalars(select(CoreTaskDraft)) for part in PARTS]
        db.session.remove()
        db.engine.dispose()
    words = set(MARKER.findall(" ".join(ideas + drafts + [value for _edit_id, value in revisions])))
    by_edit_id = {edit_id: set(MARKER.findall(value)) for edit_id, value in revisions if edit_id}
    found = sum(1 for phone in phones for marker in phone.sent if marker in words)
    missing = [marker for phone in phones for marker, edit_id in phone.acknowledged.items()
               if marker not in by_edit_id.get(edit_id, ())]
    twice = [marker for marker, ideas_with_it in Counter(MARKER.findall(" ".join(ideas))).items() if ideas_with_it > 1]
    return found, missing, twice


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=FULL["phones"])
    parser.add_argument("--room-size", type=int, default=FULL["room_size"])
    parser.add_argument("--seconds", type=float, default=FULL["seconds"])
    parser.add_argument("--poll-every", type=float, default=FULL["poll_every"])
    parser.add_argument("--edit-every", type=float, default=FULL["edit_every"])
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py's")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py's")
    parser.add_argument("--short", action="store_true", help=f"the form CI runs: {SHORT['phones']} phones, "
                        f"{SHORT['seconds']:g} s, gunicorn {SHORT['workers']}×{SHORT['threads']}")
    parser.add_argument("--crash-at", type=float, metavar="S", help="kill gunicorn (SIGKILL) S seconds in, restart it")
    args = parser.parse_args()
    if args.short:
        vars(args).update(SHORT)
    args.workers, args.threads = server_settings(args.workers, args.threads)

    before = busy_loop_ms()
    with tempfile.TemporaryDirectory() as tmp:
        morning = workshop(f"sqlite:///{Path(tmp) / 'workshop.sqlite'}", args.phones, args.room_size, args.seconds,
                           args.poll_every, args.edit_every, args.workers, args.threads, args.crash_at)

    answers = [answer for phone in morning.phones for answer in phone.answers]
    samples: dict[str, list[float]] = defaultdict(list)
    for answer in answers:
        samples[answer.kind].append(answer.seconds)
    errors = Counter(answer.status for answer in answers if answer.status not in (200, 204))
    sent = sum(len(phone.sent) for phone in morning.phones)
    acknowledged = sum(len(phone.acknowledged) for phone in morning.phones)
    print(f"{args.phones} phones in rooms of {args.room_size}, polling every {args.poll_every:g} s, "
          f"editing every {args.edit_every:g} s, for {args.seconds:g} s; gunicorn {args.workers}×{args.threads}, SQLite")
    if morning.crashed_at is not None:
        print(f"gunicorn killed (SIGKILL) {args.crash_at:g} s in, "
              f"answering again {morning.restarted_at - morning.crashed_at:.1f} s later")
    print(f"  {'requests':18} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in sorted(samples) + ["all"]:
        values = [answer.seconds for answer in answers] if kind == "all" else samples[kind]
        print(f"  {kind:18} {len(values):7d} {percentile(values, .5):8.1f} {percentile(values, .95):8.1f} "
              f"{percentile(values, .99):8.1f}")
    span = max(answer.at + answer.seconds for answer in answers) - min(answer.at for answer in answers)
    print(f"  throughput {len(answers) / span:.0f} req/s over {span:.0f} s, "
          f"mean {statistics.mean(answer.seconds for answer in answers) * 1000:.1f} ms")
    print(f"errors: {sum(errors.values())} {dict(errors) if errors else ''} (0: no answer); "
          f"saves sent again {sum(phone.resent for phone in morning.phones)}")
    print(f"edits sent {sent}, found afterwards {morning.found}, lost {sent - morning.found}; "
          f"acknowledged {acknowledged}, not in the history {len(morning.missing)}; ideas twice {len(morning.twice)}")
    print(f"busy loop (1 000 000 steps of Python, lower is faster): {before:.1f} ms before, {busy_loop_ms():.1f} ms after")


if __name__ == "__main__":
    main()
