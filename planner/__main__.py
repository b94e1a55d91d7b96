"""The `planner` console script (and `python -m planner`): Flask's command line bound to this
app, so `planner db upgrade` is `flask --app planner db upgrade` without knowing Flask."""
from __future__ import annotations

from flask.cli import FlaskGroup


def main() -> None:
    from planner import create_app
    FlaskGroup(create_app=lambda: create_app(), help="The planner's commands (flask --app planner ...).")(
        prog_name="planner")


if __name__ == "__main__":
    main()
