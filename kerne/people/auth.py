"""Staff sign-in with local accounts: the sign-in page, signing out, changing one's password, and the page
where an invited person chooses theirs.

The rules of a session (who it belongs to, when it ends) are in kerne.people.sign_in.
"""
from flask import Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from kerne.people import devices, invitations, sso
from kerne.people.forms import LoginForm, NewPasswordForm, PasswordChangeForm
from kerne.people.passwords import MIN_LENGTH
from kerne.people.sign_in import authenticate, find_user, forget_sign_in, safe_next, start_session
from kerne.records import audit
from kerne.web.extensions import db, limiter

bp = Blueprint("auth", __name__)


def _failed(response) -> bool:
    """Only failed sign-ins count against the limits: staff who get in are never slowed."""
    return not g.get("signed_in")


def _account() -> str:
    return "account:" + request.form.get("email", "").strip().lower()[:254]


def _own_browser() -> bool:
    """This browser signed in to the account typed before (kerne.people.devices): neither the account limit nor
    the address limit holds it – an office shares one NAT address, so a guesser at the next desk could otherwise
    lock the owner out by failing on purpose; its own failures are limited instead, by the device limit."""
    if "own_browser" not in g:
        email = request.form.get("email", "")[:254]
        user = find_user(email) if email else None  # the page itself (a GET) is not limited
        g.own_browser = user is not None and devices.known(user.id)
    return g.own_browser


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], deduct_when=_failed,
               exempt_when=_own_browser)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], deduct_when=_failed,
               key_func=_account, exempt_when=_own_browser)
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], methods=["POST"], deduct_when=_failed,
               key_func=devices.key, exempt_when=lambda: not _own_browser())
def login():
    """Sign in with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user, opens = authenticate(form.email.data, form.password.data)
        if opens:
            start_session(user, "password")
            db.session.commit()
            g.signed_in = True
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        # What was typed is not logged: people type passwords into the e-mail field.
        audit.record("auth.sign_in_failed", user, user=user, method="password", known_email=user is not None)
        db.session.commit()
        form.password.errors.append(_("Forkert e-mail eller adgangskode."))
    status = 422 if form.errors else 200
    return render_template("people/login.html", form=form, next=safe_next(request.args.get("next"))), status


@bp.post("/logout")
def logout():
    """Sign out: every session of the person ends, on every browser."""
    through_provider = session.get("signed_in_with") == "sso"
    if current_user.is_authenticated:
        current_user.end_sessions()
        audit.record("auth.sign_out")
        db.session.commit()
    logout_user()
    forget_sign_in()
    flash(_("Du er logget ud."), "info")
    # Signed in through the provider: its session ends too, or the next click on its button signs the same
    # person straight back in (a shared computer).
    return redirect((through_provider and sso.end_session_url()) or url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    """Change one's own password; every other session of the person ends."""
    form = PasswordChangeForm(email=current_user.email, name=current_user.name)
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("Adgangskoden er forkert."))
        else:
            current_user.set_password(form.new.data)
            current_user.end_sessions()
            session["generation"] = current_user.session_generation  # this browser stays signed in
            audit.record("auth.password")
            db.session.commit()
            flash(_("Din adgangskode er skiftet. Du er logget ud alle andre steder."), "info")
            return redirect(url_for("home.index"))
    return render_template("people/password.html", form=form, min_length=MIN_LENGTH), 422 if form.errors else 200


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def invitation(token):
    """Choose a password with the link of an invitation, and be signed in."""
    invited = invitations.pending(token)
    if invited is None:
        return render_template("people/invitation.html", user=None), 404
    user = invited.user
    form = NewPasswordForm(email=user.email, name=user.name)
    if form.validate_on_submit():
        if not invitations.use(invited, form.new.data):
            return render_template("people/invitation.html", user=None), 404
        start_session(user, "invitation")
        db.session.commit()
        flash(_("Velkommen til Kerne. Din adgangskode er gemt."), "info")
        return redirect(url_for("home.index"))
    return render_template("people/invitation.html", user=user, form=form, min_length=MIN_LENGTH), \
        422 if form.errors else 200
