"""Extensions, created once here and bound to the app in the factory."""
from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that migrations can drop and alter them (SQLite included).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
login_manager = LoginManager()
# No default limits: only sign-in and join are limited, each by its own rule.
limiter = Limiter(key_func=get_remote_address)
LIMITED_ENDPOINTS = frozenset({"auth.login", "join.enter_code", "join.join"})


def check_limits() -> None:
    """Flask-Limiter's check, for the limited routes alone (tests/test_limits.py keeps the set equal
    to the routes that carry limits); every other request, the phones' polls above all, skips it."""
    if request.endpoint in LIMITED_ENDPOINTS:
        limiter._check_request_limit()
