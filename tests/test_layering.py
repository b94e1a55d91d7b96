"""Domains import only downward (STYLE.md section 2); an upward import fails here."""
from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "planner"

# Each domain may import the domains listed (besides itself and the shared base modules).
ALLOWED = {
    "catalogue": set(),
    # Accounts queue its verification and invitation mails through the outbox.
    "accounts": {"notifications"},
    "notifications": set(),
    "signups": {"catalogue", "accounts", "notifications"},
    "allocation": {"outcomes", "signups", "catalogue", "accounts", "notifications"},
    "feeds": {"outcomes", "signups", "catalogue", "accounts", "notifications"},
    "outcomes": {"signups", "catalogue", "accounts", "notifications"},
    "backoffice": {"outcomes", "allocation", "feeds", "signups", "catalogue", "accounts", "notifications"},
}
# Pure modules must not import Flask or the database.
PURE = {"backoffice/charts.py", "outcomes/criteria.py", "outcomes/rates.py", "outcomes/charts.py", "allocation/matching.py", "allocation/scoring.py", "allocation/lottery.py", "feeds/ical.py", "feeds/lines.py", "feeds/vtimezone.py"}


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


FLASK_GLOBALS = {"request", "session", "g", "current_user", "flash"}
TEMPLATES = PACKAGE.parent / "templates"
# Partials any domain may use live here; a template may otherwise only pull in its own domain's.
# backoffice/base.html is the layout of every /backoffice page, whichever domain serves it.
SHARED_TEMPLATE_DIRS = {"_macros", "errors"}
SHARED_TEMPLATES = {"base.html", "backoffice/base.html"}
# The top of the layering composes the domains' partials: the back office and the home page.
COMPOSING = {"backoffice", "site"}


def _service_modules() -> list[Path]:
    found = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE).parts
        if "services" in rel or path.name == "services.py":
            found.append(path)
    return found


def test_services_do_not_read_flask_request_globals():
    problems = []
    for path in _service_modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in ("flask", "flask_login"):
                bad = {alias.name for alias in node.names} & FLASK_GLOBALS
                if bad:
                    problems.append(f"{path.relative_to(PACKAGE)} imports {sorted(bad)}")
    assert problems == []


def test_templates_include_only_their_own_domain_or_shared_partials():
    pattern = re.compile(r"{%-?\s*(?:include|import|from|extends)\s+[\"']([^\"']+)[\"']")
    problems = []
    for path in TEMPLATES.rglob("*.html"):
        rel = path.relative_to(TEMPLATES)
        domain = rel.parts[0] if len(rel.parts) > 1 else None
        for target in pattern.findall(path.read_text(encoding="utf-8")):
            top = target.split("/")[0]
            if target in SHARED_TEMPLATES or top in SHARED_TEMPLATE_DIRS or top == domain:
                continue
            if domain in COMPOSING:
                continue
            problems.append(f"{rel} pulls in {target}")
    assert problems == []


def test_one_translation_shim():
    definers = []
    for path in PACKAGE.rglob("*.py"):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name in ("_", "N_"):
                definers.append(f"{path.relative_to(PACKAGE)}:{node.name}")
    assert sorted(definers) == ["i18n.py:N_", "i18n.py:_"]


def test_no_module_is_a_grab_bag():
    # STYLE.md 14: past about 400 lines a module does several jobs; split it by capability.
    long = {str(p.relative_to(PACKAGE)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 450}
    assert long == {}


def test_views_and_commands_leave_commits_to_the_unit_of_work():
    problems = []
    for path in PACKAGE.rglob("*.py"):
        if path.name not in ("views.py", "cli.py", "api.py") and "backoffice" not in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        for call in ("db.session.commit()", "db.session.rollback()", "deliver_in_development("):
            if call in text:
                problems.append(f"{path.relative_to(PACKAGE)} calls {call}")
    assert problems == []
