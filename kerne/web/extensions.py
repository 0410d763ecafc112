"""Extensions, created once here and bound to the app in the factory."""
from functools import partial

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


def limit_only_limited_routes(app) -> None:
    """Run Flask-Limiter's hooks (the check before, the deductions after, the clean-up at the end)
    for the limited routes alone: working out that a route has no limits cost the phones' poll more
    than the poll itself. tests/test_limits.py keeps LIMITED_ENDPOINTS equal to the routes with limits."""
    for registry in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        hooks = registry.get(None, [])
        for index, hook in enumerate(hooks):
            owner = hook.args[0] if isinstance(hook, partial) and hook.args else getattr(hook, "__self__", None)
            if owner is limiter:
                hooks[index] = _for_limited_routes(hook)


def _for_limited_routes(hook):
    def limiter_hook(*args):
        if request.endpoint in LIMITED_ENDPOINTS:
            return hook(*args)
        return args[0] if args else None  # an after-request hook hands the response on unchanged

    return limiter_hook
