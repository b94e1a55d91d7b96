"""Production entry point from a checkout: gunicorn 'wsgi:app'. An installed wheel has no
checkout: use 'planner.wsgi:app' (it refuses the development SECRET_KEY as well)."""
from planner.wsgi import app

__all__ = ["app"]
