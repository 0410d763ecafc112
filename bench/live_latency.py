"""Co-writing latency: from the last keystroke on one phone to the text on another.

Two phones (360 px, Chromium) in one room at the core-task draft step, against
Kerne under gunicorn on loopback. Phone A types a new word at the end of the core
task; the time from its last keystroke to the word showing in phone B's field is
measured in the pages themselves (one clock: both are tabs of one browser). Phone
B is idle: it only polls, as a phone lying on the table does.

Prints p50, p95 and max over the edits; asserts nothing.

    .venv/bin/python bench/live_latency.py [--edits 30] [--workers N]
"""
import argparse
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from _harness import Gunicorn, prepare, server_env, server_settings

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
FIELD = "textarea[id$='-core_task']"

# Phone A notes when a key was last let go; phone B notes when each awaited word first shows.
TYPIST = "() => { window.__lastKey = 0; document.addEventListener('keyup', () => { window.__lastKey = Date.now(); }); }"
WATCH = """(word) => {
  window.__seen = window.__seen || {};
  const look = () => {
    const field = document.querySelector("textarea[id$='-core_task']");
    if (field && field.value.includes(word)) window.__seen[word] = Date.now();
    else setTimeout(look, 5);
  };
  look();
}"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=30)
    parser.add_argument("--workers", type=int, help="gunicorn processes (default: gunicorn.conf.py)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    workers, threads = server_settings(args.workers)
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'latency.sqlite'}"
        _app, rooms = prepare(url, rooms=1, phones_per_room=2, step=3, ideas_per_room=0)
        env = server_env(url)
        room = rooms[0]
        with Gunicorn("app:app", env, workers, threads) as server, sync_playwright() as p:
            base = server.base
            chromium = shutil.which("chromium") or "/usr/bin/chromium"
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
            pages = []
            for cookie in room["cookies"][:2]:
                name, value = cookie.split("=", 1)
                context = browser.new_context(**PHONE)
                context.add_cookies([{"name": name, "value": value, "url": base}])
                page = context.new_page()
                page.goto(f"{base}/w/{room['public_id']}")
                page.locator(FIELD).wait_for()
                pages.append(page)
            typist, idle = pages
            typist.evaluate(TYPIST)
            typist.locator(FIELD).click()
            latencies = []
            for n in range(args.edits):
                word = f"ord{n}x"
                idle.evaluate(WATCH, word)  # watching before the first key
                typist.keyboard.press("End")
                typist.keyboard.type(f" {word}", delay=rng.uniform(40, 120))
                seen = idle.wait_for_function("(word) => window.__seen[word]", arg=word, timeout=30_000).json_value()
                latencies.append((seen - typist.evaluate("window.__lastKey")) / 1000)
                time.sleep(rng.uniform(0.5, 1.5))  # people pause; and so the edits fall at any point of a poll
            browser.close()

    print(f"gunicorn {workers} workers × {threads} threads, SQLite, loopback; {args.edits} edits, "
          f"typist → idle phone at 360 px")
    print(f"last keystroke → text on the other phone: p50 {statistics.median(latencies):.2f} s, "
          f"p95 {percentile(latencies, 0.95):.2f} s, max {max(latencies):.2f} s (target p95 ≤ 1.0 s)")


if __name__ == "__main__":
    main()
