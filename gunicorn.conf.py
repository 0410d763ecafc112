"""Production settings for `gunicorn app:app`; gunicorn reads this file from the
working directory. Each can be overridden from the environment."""
import multiprocessing
import os

bind = os.environ.get("KERNE_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
# Python threads share one interpreter lock, so a room of polling phones is
# served best by several processes with few threads each (see bench/workshop.py).
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("KERNE_THREADS", 2))
# Spread phones' keep-alive connections over the workers instead of piling them on one.
reuse_port = True
keepalive = 5
timeout = 30
