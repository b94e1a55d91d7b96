"""gunicorn settings read from the working directory of a checkout (`gunicorn wsgi:app` picks
them up); an installation uses `gunicorn -c python:planner.gunicorn_conf` instead."""
from planner.gunicorn_conf import *  # noqa: F403
