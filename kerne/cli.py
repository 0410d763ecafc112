"""Command-line tasks: ``flask --app app <command>``."""
import os

import click
from flask import url_for

from . import demo
from .auth import find_user
from .extensions import db
from .models import ROLES, User


def _base_url() -> str:
    return os.environ.get("KERNE_BASE_URL") or f"http://127.0.0.1:{os.environ.get('PORT', '5000')}"


def init_app(app) -> None:
    @app.cli.command("seed-demo")
    def seed_demo():
        """Load the demo municipality into an empty database, then print how to get in."""
        created = demo.seed()
        click.echo("Demo-data indlæst." if created else "Databasen har allerede data; intet indlæst.")
        base = _base_url()
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
    @click.password_option()
    def create_user(email, name, roles, password):
        """Create a staff account (or reset its password and roles)."""
        user = find_user(email) or User(email=email.strip().lower(), name=name)
        user.name, user.roles = name, " ".join(roles)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
        click.echo(f"{user.email}: {', '.join(roles)}")
