"""The planner's application factory."""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from planner.config import load_config


def create_app(overrides: Mapping[str, Any] | None = None) -> Flask:
    from planner.resources import resource_dir
    # templates/ and static/ sit beside the package in a checkout and inside it in the wheel.
    # PLANNER_INSTANCE_PATH: the one writable folder (database, mail, documents) of an
    # installation whose code is read-only.
    app = Flask(__name__, template_folder=resource_dir("templates"), static_folder=resource_dir("static"),
                instance_path=os.environ.get("PLANNER_INSTANCE_PATH") or None, instance_relative_config=True)
    load_config(app, overrides)
    from planner.logs import configure_logging
    configure_logging(app)
    init_extensions(app)
    trust_proxies(app)
    register_url_converters(app)
    register_blueprints(app)
    register_commands(app)
    register_template_helpers(app)
    register_unit_of_work(app)
    from planner.accounts.session_views import track_login_sessions
    track_login_sessions(app)
    register_cache_listeners()
    from planner.errors import register_error_handlers
    register_error_handlers(app)
    from planner.security import register_input_hygiene, register_security_headers
    register_security_headers(app)
    register_input_hygiene(app)
    return app


def init_extensions(app: Flask) -> None:
    from flask_babel import lazy_gettext

    from planner import models  # noqa: F401  (every model must be known to Alembic)
    from planner.accounts.services import load_user
    from planner.extensions import babel, csrf, db, init_redis, limiter, login_manager, migrate
    from planner.i18n import select_locale, select_timezone
    from planner.sessions import SessionInterface

    app.session_interface = SessionInterface()
    db.init_app(app)
    from planner.resources import resource_dir
    migrate.init_app(app, db, directory=resource_dir("migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message_category = "info"
    # Flask-Login's own message is English; translate it in the visitor's language when flashed.
    login_manager.login_message = lazy_gettext("Please log in to see this page.")
    login_manager.localize_callback = str
    login_manager.user_loader(load_user)
    init_redis(app)
    from planner.storage import init_document_store
    init_document_store(app)


def register_unit_of_work(app: Flask) -> None:
    from planner import unit_of_work
    from planner.notifications.delivery import deliver_in_development
    unit_of_work.register(app, after_commit=[lambda: deliver_in_development(only_if_queued=True)])


def register_cache_listeners() -> None:
    # Pages and feeds cached by data version hear of commits through listeners on SQLAlchemy's
    # Session; registering them here, not on import, keeps importing a module free of effects.
    from planner.catalogue.pages import register_listeners as catalogue_listeners
    from planner.feeds.services.versions import register_listeners as feed_listeners
    catalogue_listeners()
    feed_listeners()


def trust_proxies(app: Flask) -> None:
    # Behind TLS-terminating proxies, links (webcal://, feed tokens) and client addresses come
    # from X-Forwarded-For/Proto/Host, but only from as many proxies as the operator declares.
    count = app.config["TRUSTED_PROXIES"]
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)  # type: ignore[method-assign]


def register_url_converters(app: Flask) -> None:
    # Before any blueprint: rules pick their converter when they are added.
    from planner.db import IdConverter
    app.url_map.converters["int"] = IdConverter


def register_blueprints(app: Flask) -> None:
    from planner import site
    from planner.accounts import session_views, twofactor_views  # noqa: F401  (routes on the accounts blueprint)
    from planner.accounts import views as accounts
    from planner.allocation import views as allocation
    from planner.backoffice import views as backoffice
    from planner.catalogue import api as catalogue_api
    from planner.catalogue import views as catalogue
    from planner.feeds import views as feeds
    from planner.notifications import views as notifications
    from planner.outcomes import views as outcomes
    from planner.signups import views as signups

    for blueprint in (site.bp, catalogue.bp, catalogue_api.bp, accounts.bp, signups.bp,
                      allocation.bp, feeds.bp, backoffice.bp, outcomes.bp, notifications.bp):
        app.register_blueprint(blueprint)
    app.before_request(backoffice.require_staff)


def register_commands(app: Flask) -> None:
    from planner import backup, cli
    from planner.accounts.cli import create_user
    from planner.allocation.cli import allocation
    from planner.notifications.cli import notifications
    from planner.outcomes.cli import outcomes
    from planner.reminders import remind_command

    # Reminders read applications and offers, which notifications must not know about; the
    # command still lives in the group a timer operator looks in.
    notifications.add_command(remind_command)
    for command in (cli.demo_data, cli.synthetic_data, create_user, allocation, notifications, outcomes,
                    backup.backup_command, backup.restore_command):
        app.cli.add_command(command)


def register_template_helpers(app: Flask) -> None:
    from planner import i18n
    i18n.register_template_helpers(app)
