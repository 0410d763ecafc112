"""Entry point: ``flask --app app run`` or ``gunicorn app:app``."""
from kerne import create_app

app = create_app()
