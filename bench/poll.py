"""How cheap is a poll? Throughput of Kerne's poll endpoint under gunicorn,
unchanged (204) and changed (the live block), against a floor measured in the
same run: a bare Flask app doing one SQLite read and answering the same way.

Prints figures; asserts nothing. Needs wrk (`make bench` installs it).

    .venv/bin/python bench/poll.py [--seconds 10] [--connections 32]
"""
import argparse
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from _harness import Gunicorn, prepare, server_env, server_settings


def wrk(url: str, cookie: str, seconds: int, connections: int) -> tuple[float, str]:
    """Requests per second, and what wrk said about failures."""
    output = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H", f"Cookie: {cookie}", url],
        capture_output=True, text=True, check=True,
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    problems = re.findall(r"(Non-2xx or 3xx responses: \d+|Socket errors: .*)", output)
    return rate, "; ".join(problems) or "no errors"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5, help="per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="floor and Kerne measured alternately, medians kept")
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    workers, threads = server_settings()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk (make bench does it)")

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'poll.sqlite'}"
        app, rooms = prepare(url, rooms=1, phones_per_room=30)
        room = rooms[0]
        from kerne.models import Visit
        from kerne.web.extensions import db

        with app.app_context():
            version = db.session.get(Visit, room["visit_id"]).version
        path = f"/w/{room['public_id']}/changes"
        cookie = room["cookies"][0]
        env = server_env(url)
        runs: dict[str, list] = {name: [] for name in NAMES}
        with Gunicorn("bench.floor_app:app", env, workers, threads) as floor, \
                Gunicorn("app:app", env, workers, threads) as kerne:
            urls = {NAMES[0]: f"{floor.base}{path}?since={version}", NAMES[1]: f"{kerne.base}{path}?since={version}",
                    NAMES[2]: f"{kerne.base}{path}?since=0"}
            for url in urls.values():  # warm up every worker before measuring
                wrk(url, cookie, 1, args.connections)
            for _round in range(args.rounds):
                for name, url in urls.items():
                    runs[name].append(wrk(url, cookie, args.seconds, args.connections))

    medians = {name: statistics.median(rate for rate, _ in results) for name, results in runs.items()}
    floor = medians[NAMES[0]]
    print(f"gunicorn {workers} workers × {threads} threads (gunicorn.conf.py), wrk 2 threads, "
          f"{args.connections} connections; median of {args.rounds} alternating runs of {args.seconds} s")
    for name, results in runs.items():
        problems = sorted({p for _, p in results})
        print(f"  {name:38} {medians[name]:9.0f} req/s   {medians[name] / floor:6.1%} of floor   ({'; '.join(problems)})")
    print(f"unchanged poll / floor = {medians[NAMES[1]] / floor:.2f} (target ≥ 0.70)")


NAMES = ("floor: bare Flask, one SQLite read", "Kerne, unchanged poll (204)", "Kerne, changed poll (live block)")

if __name__ == "__main__":
    main()
