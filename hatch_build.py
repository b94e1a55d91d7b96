"""Wheel build hook: puts the top-level templates/, static/ and migrations/ inside the package
(planner/templates, ...) and compiles the Korean catalogue into planner/translations, so an
installed copy needs nothing from the checkout and never writes into itself at start-up.

An editable install (`pip install -e .`, what manage.py does) imports the package from the
checkout, which finds the folders beside it; there the hook only compiles the .mo files in
place so a fresh clone serves Korean.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent
BUNDLED = ("templates", "static", "migrations")


def _compile_translations() -> Any:
    # By path: importing the planner package would need Flask, which the build environment lacks.
    spec = importlib.util.spec_from_file_location("_planner_catalogues", ROOT / "planner/message_catalogues.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.compile_translations


class CustomBuildHook(BuildHookInterface):  # type: ignore[misc]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel":
            return
        compile_translations = _compile_translations()
        if version == "editable":
            compile_translations(str(ROOT / "translations"))
            return
        self._compiled = tempfile.mkdtemp(prefix="planner-mo-")
        for relative in compile_translations(str(ROOT / "translations"), self._compiled):
            build_data["force_include"][os.path.join(self._compiled, relative)] = f"planner/translations/{relative}"
        for folder in BUNDLED:
            for path in sorted((ROOT / folder).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                    build_data["force_include"][str(path)] = f"planner/{path.relative_to(ROOT).as_posix()}"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        compiled = getattr(self, "_compiled", None)
        if compiled:
            shutil.rmtree(compiled, ignore_errors=True)
