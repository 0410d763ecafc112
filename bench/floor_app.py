"""The floor for bench/poll.py: a bare Flask app that does what an unchanged
poll must do at the least, one indexed SQLite read, and answers the same way."""
import os
import sqlite3
import threading

from flask import Flask, request

app = Flask(__name__)
_local = threading.local()


def connection() -> sqlite3.Connection:
    if not hasattr(_local, "connection"):
        _local.connection = sqlite3.connect(os.environ["DATABASE_URL"].removeprefix("sqlite:///"))
        _local.connection.execute("PRAGMA journal_mode=WAL")
    return _local.connection


@app.get("/w/<public_id>/changes")
def changes(public_id):
    since = request.args.get("since", type=int)
    row = connection().execute("SELECT version FROM visit WHERE public_id = ?", (public_id,)).fetchone()
    if row is None:
        return "", 404
    return ("", 204) if row[0] == since else ("changed", 200)
