"""The systemd units in deploy/systemd/ name commands the installed `planner` script has, and
each timer starts its own service. (`.ci/run` also checks them with systemd-analyze verify.)"""
from __future__ import annotations

import configparser
import shlex
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parent.parent / "deploy" / "systemd"
TIMED_COMMANDS = {"planner-mail": ["notifications", "send"], "planner-expire": ["allocation", "expire"],
                  "planner-remind": ["notifications", "remind"]}


def read_unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]  # systemd keys are case-sensitive
    parser.read_string((UNITS / name).read_text(encoding="utf-8"))
    return parser


def test_the_expected_units_are_there():
    assert {p.name for p in UNITS.iterdir()} >= {
        "planner.service", "planner-mail.service", "planner-mail.timer", "planner-expire.service",
        "planner-expire.timer", "planner-remind.service", "planner-remind.timer"}


@pytest.mark.parametrize("name, command", TIMED_COMMANDS.items())
def test_each_timer_runs_its_service_and_that_runs_an_existing_locked_command(app, name, command):
    timer = read_unit(f"{name}.timer")
    assert timer["Timer"]["Unit"] == f"{name}.service" and timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"
    service = read_unit(f"{name}.service")["Service"]
    assert service["Type"] == "oneshot"
    program, *args = shlex.split(service["ExecStart"])
    assert program == "/opt/planner/venv/bin/planner" and args == command
    group = app.cli.get_command(None, args[0])  # type: ignore[arg-type]
    assert group is not None and group.get_command(None, args[1]) is not None  # type: ignore[union-attr]


def test_the_web_service_serves_the_installed_package_with_a_writable_instance_only():
    service = read_unit("planner.service")["Service"]
    assert "python:planner.gunicorn_conf" in service["ExecStart"] and "planner.wsgi:app" in service["ExecStart"]
    for name in ("planner.service", *(f"{n}.service" for n in TIMED_COMMANDS)):
        section = read_unit(name)["Service"]
        assert section["Environment"] == "PLANNER_INSTANCE_PATH=/var/lib/planner"
        assert section["ProtectSystem"] == "strict" and section["StateDirectory"] == "planner"
        assert section["EnvironmentFile"] == "/etc/planner/planner.env"
