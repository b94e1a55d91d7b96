"""The Session listeners that keep cached pages and feeds coherent are registered by
create_app, never as a side effect of importing a module."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session

from planner.catalogue import pages
from planner.feeds.services import versions

ROOT = Path(__file__).resolve().parent.parent.parent


def test_importing_the_modules_registers_no_listener():
    code = ("from sqlalchemy import event\n"
            "from sqlalchemy.orm import Session\n"
            "from planner.catalogue import pages\n"
            "from planner.feeds.services import versions\n"
            "print(event.contains(Session, 'before_flush', versions._flush_changes_catalogue),"
            " event.contains(Session, 'after_commit', pages._forget_version_after_commit))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]


def test_create_app_registers_the_listeners(app):
    assert event.contains(Session, "before_flush", versions._flush_changes_catalogue)
    assert event.contains(Session, "after_commit", versions._forget_version)
    assert event.contains(Session, "after_commit", pages._forget_version_after_commit)
