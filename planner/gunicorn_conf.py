"""gunicorn settings for the planner, installed with the package: `gunicorn -c
python:planner.gunicorn_conf wsgi:app` (deploy/systemd/planner.service), or the checkout's
gunicorn.conf.py, which imports this. Command-line options override these."""
from __future__ import annotations

import os
from typing import Any

from gunicorn.glogging import Logger as _GunicornLogger

from planner.logs import RedactTokens, RequestId, prepare_handler, redact

wsgi_app = "planner.wsgi:app"
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# The app logs one line per request itself (with its id, status and duration); gunicorn's
# access log would repeat it. Turn it on with --access-logfile - if you want both.
accesslog = None
errorlog = "-"
# A worker that has not answered in this long is killed and replaced.
timeout = 60
graceful_timeout = 30
# gunicorn 27's control socket lives in $HOME, which a service user may not have (or may not
# write: ProtectHome); the service is controlled by systemd signals instead.
control_socket_disable = True


class GunicornLogger(_GunicornLogger):
    """gunicorn's logger with tokens redacted from every access-log field (request line,
    path, referrer…) and its own error log lines redacted and formatted like the app's;
    selected below."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        # gunicorn's logger exists before the app and its config; it reads the same variable.
        log_format = os.environ.get("LOG_FORMAT", "text").strip().lower()
        for handler in self.error_log.handlers:
            prepare_handler(handler, log_format)
        for handler in self.access_log.handlers:
            for kind in (RequestId, RedactTokens):
                handler.addFilter(kind())

    def atoms(self, resp: Any, req: Any, environ: Any, request_time: Any) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = GunicornLogger
