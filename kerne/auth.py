"""Staff sign-in with local accounts."""
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_user, logout_user
from sqlalchemy import func, select

from .extensions import db, login_manager
from .forms import LoginForm
from .models import User

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Log ind for at se siden.")
login_manager.login_message_category = "info"


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def find_user(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None: where to go after sign-in or a language switch.

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so
    ``/%09/evil.example`` would leave the site: any control character or backslash is refused.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ord(c) < 32 or ord(c) == 127 or c == "\\" for c in target):
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else None


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = find_user(form.email.data)
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            # A token seen before sign-in (on a shared computer, say) must not outlive it.
            session.pop("csrf_token", None)
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        form.password.errors.append(_("Forkert e-mail eller adgangskode."))
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out."""
    logout_user()
    flash(_("Du er logget ud."), "info")
    return redirect(url_for("auth.login"))
