"""Configuration read from the environment, with safe defaults for a laptop."""
import os
import secrets
import time
from pathlib import Path
from urllib.parse import urlsplit


def database_url(instance_path: str) -> str:
    """The database to use: DATABASE_URL when set, else a SQLite file in instance/."""
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "kerne.sqlite")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants the driver named.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def secret_key(instance_path: str) -> str:
    """SECRET_KEY from the environment, else one kept in instance/secret_key.

    The file is created once with O_EXCL so that several workers starting at
    the same moment all end up reading the same key.
    """
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    path = Path(instance_path) / "secret_key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    for _ in range(50):
        key = path.read_text().strip()
        if key:
            return key
        time.sleep(0.01)
    raise RuntimeError(f"{path} is empty")


def single_sign_on(config) -> bool:
    """Whether a provider is configured for single sign-on (kerne.people.sso)."""
    return bool(config["OIDC_DISCOVERY_URL"] and config["OIDC_CLIENT_ID"])


def provider_origin(config) -> str:
    """The single sign-on provider's origin (its discovery document's), or "" without single sign-on: where
    signing out may send the browser on (kerne.web.security lets the sign-out form go there, and no further)."""
    if not single_sign_on(config):
        return ""
    parts = urlsplit(config["OIDC_DISCOVERY_URL"])
    return f"{parts.scheme}://{parts.netloc}"


class Config:
    """Settings every deployment shares; the factory fills in the rest."""

    BABEL_DEFAULT_LOCALE = "da"
    # The municipality's time zone: "today", months, due and overdue, and every date and time shown
    # (kerne.web.clock; the factory hands it to Flask-Babel). Times are stored in UTC whatever it is.
    TIME_ZONE = os.environ.get("KERNE_TIME_ZONE", "Europe/Copenhagen")
    LANGUAGES = ("da", "en")
    BABEL_TRANSLATION_DIRECTORIES = "translations"
    # A workshop runs for hours on one page: tokens live as long as the session.
    WTF_CSRF_TIME_LIMIT = None
    # Over HTTPS a state change must also come with a Referer from this site.
    WTF_CSRF_SSL_STRICT = True
    # kerne.web.security runs the CSRF check itself, for the methods that change things only.
    WTF_CSRF_CHECK_DEFAULT = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = os.environ.get("KERNE_SECURE_COOKIES") == "1"
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024
    # How long a participant's join cookie is kept by the phone.
    PARTICIPANT_COOKIE_DAYS = 7
    # How long the matching engine may compute a proposal, in seconds.
    MATCH_SECONDS = float(os.environ.get("KERNE_MATCH_SECONDS", "10"))
    # How often phones ask for changes, in milliseconds (kerne.js asks faster while a visit is open).
    POLL_INTERVAL_MS = 2000
    # A conflict whose author's phone has not been heard of for this long goes to the console.
    PARTICIPANT_QUIET_SECONDS = float(os.environ.get("KERNE_PARTICIPANT_QUIET_SECONDS", "120"))
    # Absolute links (QR code, calendar feed, e-mails) come from here (kerne.web.links), or from the
    # request's Host only when it is one of KERNE_TRUSTED_HOSTS (comma-separated; others get 400).
    BASE_URL = os.environ.get("KERNE_BASE_URL", "")
    TRUSTED_HOSTS = [h.strip() for h in os.environ.get("KERNE_TRUSTED_HOSTS", "").split(",") if h.strip()] or None
    # Notices by e-mail (kerne.notices): without KERNE_SMTP_HOST they wait in the outbox page.
    SMTP_HOST = os.environ.get("KERNE_SMTP_HOST", "")
    SMTP_PORT = int(os.environ.get("KERNE_SMTP_PORT", "25"))
    SMTP_USER = os.environ.get("KERNE_SMTP_USER", "")
    SMTP_PASSWORD = os.environ.get("KERNE_SMTP_PASSWORD", "")
    SMTP_SECURITY = os.environ.get("KERNE_SMTP_SECURITY", "starttls" if os.environ.get("KERNE_SMTP_USER") else "none")
    MAIL_FROM = os.environ.get("KERNE_MAIL_FROM", "Kerne <kerne@localhost>")
    # How often each worker queues reminders and sends what is due, in seconds; 0 turns it off.
    MAIL_INTERVAL_SECONDS = float(os.environ.get("KERNE_MAIL_INTERVAL", "60"))
    # Reminders go this many days before a visit; follow-ups this many days before they are due.
    VISIT_REMINDER_DAYS = 3
    FOLLOW_UP_REMINDER_DAYS = 7
    # How often the leaders' dashboard asks whether its figures changed, in milliseconds.
    DASHBOARD_POLL_MS = int(os.environ.get("KERNE_DASHBOARD_POLL_MS", "30000"))
    # A process that has stood this many days in one state (past the day of the visit it waits for)
    # is listed under "Kræver handling" on the dashboard.
    STALLED_DAYS = int(os.environ.get("KERNE_STALLED_DAYS", "60"))
    # Sessions: signed out after this long without a request, and this long after signing in.
    SESSION_IDLE_MINUTES = int(os.environ.get("KERNE_SESSION_IDLE_MINUTES", "60"))
    SESSION_MAX_HOURS = int(os.environ.get("KERNE_SESSION_MAX_HOURS", "12"))
    # Rate limits (Flask-Limiter). Counters live in memory per process unless a shared store is
    # named, e.g. redis://host:6379 when several processes or machines serve.
    RATELIMIT_ENABLED = os.environ.get("KERNE_RATELIMIT_ENABLED", "1") == "1"
    RATELIMIT_STORAGE_URI = os.environ.get("KERNE_RATELIMIT_STORAGE", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    # How many reverse proxies stand in front and add X-Forwarded-For: the limits count per client.
    TRUSTED_PROXIES = int(os.environ.get("KERNE_TRUSTED_PROXIES", "0"))
    # Failed sign-ins, per address and per account; only failures count.
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("KERNE_LOGIN_LIMIT", "20 per minute; 100 per hour")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("KERNE_LOGIN_ACCOUNT_LIMIT", "10 per 15 minutes; 30 per day")
    # Join codes that do not work, per address; and new participants per address (a room shares one).
    JOIN_FAILURE_LIMIT = os.environ.get("KERNE_JOIN_LIMIT", "10 per minute; 60 per hour; 200 per day")
    JOIN_LIMIT = os.environ.get("KERNE_JOIN_NEW_LIMIT", "120 per 10 minutes")
    # A join code stops working when its visit closes, or this many hours after it opened.
    JOIN_CODE_HOURS = int(os.environ.get("KERNE_JOIN_CODE_HOURS", "12"))
    # Single sign-on by OpenID Connect: on when a discovery URL and a client id are set (docs/sign-in.md).
    OIDC_DISCOVERY_URL = os.environ.get("KERNE_OIDC_DISCOVERY_URL", "")
    OIDC_CLIENT_ID = os.environ.get("KERNE_OIDC_CLIENT_ID", "")
    OIDC_CLIENT_SECRET = os.environ.get("KERNE_OIDC_CLIENT_SECRET", "")
    OIDC_LABEL = os.environ.get("KERNE_OIDC_LABEL", "")
    # The issuer (the ID token's iss) of a provider that vouches for every e-mail it sends but never sends
    # email_verified (AD FS, Entra ID): its e-mail claims count as verified. Empty: none is trusted so.
    OIDC_EMAIL_TRUSTED_ISSUER = os.environ.get("KERNE_OIDC_EMAIL_TRUSTED_ISSUER", "")
    # How long the link in an invitation to a new login works.
    INVITATION_HOURS = int(os.environ.get("KERNE_INVITATION_HOURS", "72"))
    # How long a browser is remembered as one its person signed in on, so the account limit never holds it.
    DEVICE_COOKIE_DAYS = int(os.environ.get("KERNE_DEVICE_COOKIE_DAYS", "180"))
    # The accessibility statement's contact (the law asks for a written and a telephone one), and the
    # address of the municipality's official statement in Digitaliseringsstyrelsen's WAS-Tool, if any.
    ACCESSIBILITY_EMAIL = os.environ.get("KERNE_ACCESSIBILITY_EMAIL", "")
    ACCESSIBILITY_PHONE = os.environ.get("KERNE_ACCESSIBILITY_PHONE", "")
    ACCESSIBILITY_STATEMENT_URL = os.environ.get("KERNE_ACCESSIBILITY_STATEMENT_URL", "")
    # Participants' display names are removed this many days after their visit closed (flask retention).
    PARTICIPANT_NAME_DAYS = int(os.environ.get("KERNE_PARTICIPANT_NAME_DAYS", "30"))
    # The text of a mail is removed this many days after it was sent (flask retention).
    MAIL_DAYS = int(os.environ.get("KERNE_MAIL_DAYS", "180"))
    # Audit events older than this many days are deleted by flask retention.
    AUDIT_DAYS = int(os.environ.get("KERNE_AUDIT_DAYS", "730"))
