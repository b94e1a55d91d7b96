"""Production entry point: gunicorn 'planner.wsgi:app' (the checkout's wsgi.py re-exports it)."""
from planner import create_app
from planner.config import DEV_SECRET_KEY

app = create_app()

if app.config["SECRET_KEY"] == DEV_SECRET_KEY or len(app.config["SECRET_KEY"]) < 16:
    raise RuntimeError("Refusing to start: set SECRET_KEY to a long random value (see README).")
