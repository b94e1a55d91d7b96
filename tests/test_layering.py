"""Domains import only downward (STYLE.md section 2); an upward import fails here."""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "planner"

# Each domain may import the domains listed (besides itself and the shared base modules).
ALLOWED = {
    "catalogue": set(),
    # Accounts queue its verification and invitation mails through the outbox.
    "accounts": {"notifications"},
    "notifications": set(),
    "signups": {"catalogue", "accounts", "notifications"},
    "allocation": {"signups", "catalogue", "accounts", "notifications"},
    "feeds": {"signups", "catalogue", "accounts", "notifications"},
    "backoffice": {"allocation", "feeds", "signups", "catalogue", "accounts", "notifications"},
}
# Pure modules must not import Flask or the database.
PURE = {"allocation/matching.py", "allocation/scoring.py", "allocation/lottery.py", "feeds/ical.py"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_no_domain_imports_a_domain_above_it():
    problems = []
    for domain, allowed in ALLOWED.items():
        for path in (PACKAGE / domain).rglob("*.py"):
            for name in _imports(path):
                parts = name.split(".")
                if parts[0] != "planner" or len(parts) < 2:
                    continue
                target = parts[1]
                if target in ALLOWED and target != domain and target not in allowed:
                    problems.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert problems == []


def test_lower_domains_import_only_models_and_services_of_others():
    problems = []
    for domain in ALLOWED:
        for path in (PACKAGE / domain).rglob("*.py"):
            for name in _imports(path):
                parts = name.split(".")
                if parts[0] == "planner" and len(parts) > 2 and parts[1] in ALLOWED \
                        and parts[1] != domain and parts[2] in ("views", "forms", "cli"):
                    problems.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert problems == []


def test_pure_modules_stay_free_of_flask_and_the_database():
    for rel in PURE:
        path = PACKAGE / rel
        if not path.exists():
            continue
        bad = {n for n in _imports(path) if n.split(".")[0] in {"flask", "sqlalchemy", "flask_sqlalchemy"}
               or n.startswith("planner.extensions")}
        assert not bad, f"{rel} imports {bad}"
