"""Command-line tasks: ``flask --app app <command>``."""
import json
from pathlib import Path

import click
from flask import url_for
from sqlalchemy import func, or_, select

from kerne import demo, matching
from kerne.desk.imports import ImportProblems, apply_ambassadors, check_ambassadors, import_org, import_requests
from kerne.desk.planning.explain import why_pair, why_unstaffed
from kerne.desk.planning.problem import build_problem, open_requests
from kerne.desk.planning.runs import plan_summary
from kerne.models import ROLES, Ambassador, OrgUnit, ProcessRequest, User, utcnow
from kerne.notices.compose import queue_reminders
from kerne.notices.outbox import deliver_due
from kerne.people.forms import PASSWORD_WEAKNESSES
from kerne.people.passwords import weakness
from kerne.people.sign_in import find_user
from kerne.records import backup
from kerne.records.privacy import retention
from kerne.web import permissions
from kerne.web.extensions import db
from kerne.web.links import base_url


def init_app(app) -> None:
    @app.cli.command("permissions")
    def print_permissions():
        """Print who may use which route (kerne/web/permissions.py) as a Markdown table."""
        click.echo(permissions.markdown(app))

    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo municipality into an empty database, then print how to get in."""
        created = demo.seed()
        click.echo("Demo-data indlæst." if created else "Databasen har allerede data; intet indlæst.")
        base = base_url()
        with app.test_request_context(base_url=base):
            click.echo(f"\nLog ind på {base}{url_for('auth.login')} (adgangskode: {demo.DEMO_PASSWORD})")
            for what, email in demo.logins():
                if find_user(email) is not None:
                    click.echo(f"  {what}: {email}")
            for visit in demo.open_visits():
                click.echo(f"\nÅbent besøg hos {visit.process.workplace.name}:")
                click.echo(f"  Deltag fra en telefon: {base}{url_for('join.join', code=visit.join_code)}")
                click.echo(f"  Facilitatorkonsol:     {base}{url_for('facilitate.console', visit_id=visit.id)}")
                click.echo(f"  Projektorvisning:      {base}{url_for('facilitate.projector', visit_id=visit.id)}")

    @app.cli.command("create-user")
    @click.argument("email")
    @click.argument("name")
    @click.option("--role", "roles", multiple=True, type=click.Choice(ROLES), required=True, help="May be repeated.")
    @click.option("--unit", "units", multiple=True, help="A leader's org unit (its CSV id or name); may be repeated.")
    @click.option("--whole-organisation", is_flag=True, help="A leader who sees everything (top leadership, MED).")
    @click.password_option()
    def create_user(email, name, roles, units, whole_organisation, password):
        """Create a staff account (or reset its password and roles, which signs it out everywhere);
        a leader sees the given units and below."""
        problem = weakness(password, email=email, name=name)
        if problem:
            raise click.BadParameter(str(PASSWORD_WEAKNESSES[problem]), param_hint="password")
        found = []
        for wanted in units:
            unit = db.session.scalar(select(OrgUnit).where(
                or_(OrgUnit.external_id == wanted, func.lower(OrgUnit.name) == wanted.strip().lower())))
            if unit is None:
                raise click.BadParameter(f"no org unit with id or name {wanted!r}", param_hint="--unit")
            found.append(unit)
        user = find_user(email) or User(email=email.strip().lower(), name=name)
        user.name, user.roles = name, " ".join(roles)
        if units or whole_organisation:
            user.units, user.sees_whole_organisation = found, whole_organisation
        user.set_password(password)
        user.invitation = None  # the password is chosen: an invitation's link must not choose another
        if user.id is not None:
            user.end_sessions()
        db.session.add(user)
        ambassador = db.session.scalar(select(Ambassador).where(func.lower(Ambassador.email) == user.email))
        if ambassador is not None and ambassador.user_id is None:
            ambassador.user = user
        db.session.commit()
        sees = "the whole organisation" if user.sees_whole_organisation else ", ".join(u.name for u in user.units)
        click.echo(f"{user.email}: {', '.join(roles)}" + (f"; sees {sees}" if user.has_role("leader") and sees else ""))

    @app.cli.command("send-mail")
    def send_mail():
        """Queue the reminders that are due and send the outbox once (the web workers do it every minute)."""
        queued = queue_reminders(utcnow().date())
        db.session.commit()
        done = deliver_due()
        click.echo(f"{queued} reminders queued, {done.sent} mails sent, {done.waiting} still waiting, "
                   f"{done.failed} failed for good (see the outbox page)")

    def refuse(file, problems) -> None:
        for line, message in problems:
            click.echo(f"{file.name}:{line}: {message}" if line else f"{file.name}: {message}", err=True)
        raise SystemExit(1)

    def importer(name: str, load, what: str):
        @app.cli.command(name)
        @click.argument("file", type=click.File("rb"))
        def command(file):
            try:
                count = load(file.read())
            except ImportProblems as error:
                refuse(file, error.problems)
            click.echo(f"{count} {what}")

        command.__doc__ = f"Import {what} from a CSV file (see docs/csv-formats.md); a bad row stops the whole file."

    importer("import-org", import_org, "units")
    importer("import-requests", import_requests, "requests")

    @app.cli.command("retention")
    def retention_command():
        """Remove personal data kept long enough: participants' names, old mail texts and audit events (run daily)."""
        done = retention.run(utcnow(), app.config)
        db.session.commit()
        config = app.config
        click.echo(f"{done['participant_names']} participant names removed (visits closed over "
                   f"{config['PARTICIPANT_NAME_DAYS']} days ago), {done['mail_texts']} mail texts removed (sent over "
                   f"{config['MAIL_DAYS']} days ago), {done['audit_events']} audit events deleted "
                   f"(over {config['AUDIT_DAYS']} days old)")

    @app.cli.command("backup")
    @click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
    def backup_command(path):
        """Write a consistent backup of the running database to PATH (a new file, readable by you only)."""
        try:
            backup.backup(db.engine, path)
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"backup written to {path}")

    @app.cli.command("restore")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--replace", is_flag=True, help="Overwrite a database that holds data (stop Kerne first).")
    def restore_command(path, replace):
        """Restore the database from a backup made by ``backup``."""
        db.session.remove()
        try:
            backup.restore(db.engine, path, replace=replace)
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from None
        click.echo(f"restored from {path}")

    @app.cli.command("import-ambassadors")
    @click.argument("file", type=click.File("rb"))
    @click.option("--yes", is_flag=True, help="Apply the changes without asking.")
    @click.option("--rekey", is_flag=True, help="Give people registered under another id the file's id.")
    def import_ambassadors(file, yes, rekey):
        """Import ambassadors from a CSV file (see docs/csv-formats.md): prints what would change, applies it when confirmed."""
        try:
            checked = check_ambassadors(file.read())
        except ImportProblems as error:
            refuse(file, error.problems)
        for change in checked.changes:
            if change.kind != "unchanged":
                fields = "; ".join(f"{column}: {before!r} -> {after!r}" for column, before, after in change.fields)
                click.echo(f"{file.name}:{change.line}: {change.kind} {change.name}" + (f" ({fields})" if fields else ""))
        click.echo(", ".join(f"{len(checked.of_kind(kind))} {kind}" for kind in ("new", "changed", "rekeyed",
                                                                                  "unchanged")))
        if checked.of_kind("rekeyed") and not rekey:
            click.echo("Refused: people already registered under another id; give --rekey if they are the same "
                       "people.", err=True)
            raise SystemExit(1)
        if len(checked.of_kind("unchanged")) == len(checked.changes):
            return
        if not yes and not click.confirm("Apply these changes?"):
            raise SystemExit(1)
        click.echo(f"{apply_ambassadors(checked)} ambassadors imported")

    @app.cli.command("match")
    @click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON instead of as text.")
    @click.option("--seconds", type=click.FloatRange(min=0, min_open=True), default=None,
                  help="Time the engine may use, more than 0 (default: MATCH_SECONDS).")
    def match(as_json, seconds):
        """Compute a plan for the open requests and print it, with the CSV files' ids; nothing is saved."""
        plan = plan_as_json(seconds or app.config["MATCH_SECONDS"])
        if as_json:
            click.echo(json.dumps(plan, ensure_ascii=False, indent=2))
            return
        for assignment in plan["assignments"]:
            click.echo(f"{assignment['request']}: {' + '.join(assignment['ambassadors'])} – {assignment['explanation']}")
        for unstaffed in plan["unstaffed"]:
            click.echo(f"{unstaffed['request']}: not staffed – {unstaffed['reason']}")
        click.echo(f"{plan['method']}, {plan['seconds']:g} s; level: value / bound")
        for level, value in plan["objective"].items():
            gap = plan["gaps"][level]
            verdict = "proven optimal" if plan["proven"][level] else (
                f"not proven, at most {gap:.1%} from the optimum" if gap else "not proven, at its bound")
            click.echo(f"  {level}: {value} / {plan['bounds'][level]} – {verdict}")
        if not plan["repeatable"]:
            click.echo("  a rerun may give another plan (a stage was stopped by the clock or shared by several workers)")


def plan_as_json(seconds: float) -> dict:
    """The engine's plan for the open requests, named by the organisation's own ids."""
    requests = open_requests()
    plan = matching.solve(build_problem(requests), seconds=seconds)
    ambassadors = {str(a.id): a for a in db.session.scalars(select(Ambassador))}
    request_ids = {str(r.id): r.external_id or str(r.id) for r in db.session.scalars(select(ProcessRequest))}
    names = {key: a.name for key, a in ambassadors.items()}
    return {
        "assignments": [
            {"request": request_ids[a.request],
             "ambassadors": [ambassadors[x].external_id or x for x in a.ambassadors],
             "explanation": why_pair(a, names)}
            for a in plan.assignments
        ],
        "unstaffed": [{"request": request_ids[u.request], "reason": why_unstaffed(u)} for u in plan.unstaffed],
        **plan_summary(plan),
    }
