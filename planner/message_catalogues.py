"""Compiles the Korean message catalogue (.po) into the .mo files Flask-Babel reads.

Imports nothing but Babel and the standard library: the wheel's build hook (hatch_build.py)
loads this file by path in an environment that has no Flask.
"""
from __future__ import annotations

import os

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po


def compile_translations(source: str, target: str | None = None) -> list[str]:
    """Compile each .po under `source` into its .mo under `target` (default: beside the .po)
    when missing or older; returns the .mo paths relative to `target`."""
    target = target or source
    compiled = []
    for root, _dirs, files in os.walk(source):
        for name in files:
            if not name.endswith(".po"):
                continue
            po_path = os.path.join(root, name)
            relative = os.path.relpath(po_path, source)[:-3] + ".mo"
            mo_path = os.path.join(target, relative)
            compiled.append(relative)
            if os.path.exists(mo_path) and os.path.getmtime(mo_path) >= os.path.getmtime(po_path):
                continue
            with open(po_path, "rb") as po_file:
                catalog = read_po(po_file)
            os.makedirs(os.path.dirname(mo_path), exist_ok=True)
            tmp_path = f"{mo_path}.{os.getpid()}.tmp"
            with open(tmp_path, "wb") as mo_file:
                write_mo(mo_file, catalog, use_fuzzy=False)
            os.replace(tmp_path, mo_path)  # atomic, so concurrent workers never read half a file
    return compiled
