"""The one clock. Times are stored as naive UTC; "today", months, due and overdue and every date shown
are the municipality's, in the configured zone (``TIME_ZONE``, Europe/Copenhagen by default), whatever
zone the server runs in.

``now`` is the only place the time is read: a test sets the app's ``CLOCK`` (a function answering an
aware datetime) instead of patching ``datetime`` wherever it is used.
"""
from datetime import UTC, date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context

DEFAULT_ZONE = "Europe/Copenhagen"


def now() -> datetime:
    """Now, as an aware datetime in UTC."""
    clock = current_app.config.get("CLOCK") if has_app_context() else None
    return (clock() if clock is not None else datetime.now(UTC)).astimezone(UTC)


def utcnow() -> datetime:
    """Now as it is stored: naive UTC."""
    return now().replace(tzinfo=None)


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone() -> ZoneInfo:
    return _zone(current_app.config.get("TIME_ZONE", DEFAULT_ZONE) if has_app_context() else DEFAULT_ZONE)


def today() -> date:
    """The municipality's date now."""
    return now().astimezone(zone()).date()


def local_date(stored: datetime | None) -> date | None:
    """The municipality's date of a stored (naive UTC) time: 23:30 UTC on 31 December is 1 January."""
    return local_dates()(stored)


def local_dates():
    """``local_date`` with the zone looked up once, for the thousands of rows of a page."""
    here = zone()

    def local(stored: datetime | None) -> date | None:
        return None if stored is None else stored.replace(tzinfo=UTC).astimezone(here).date()
    return local
