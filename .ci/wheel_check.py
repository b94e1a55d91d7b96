"""CI stage: the wheel works anywhere, read-only.

Builds the wheel, installs it into a fresh venv in a temporary folder outside the checkout,
runs `planner db upgrade` and `planner demo-data` with only a temporary instance folder
writable, serves it with gunicorn from an empty folder, and crawls every public page and feed
(following links from the home page, in English and Korean), then the signed-in pages of
the demo coordinator and applicant. Fails on any 5xx, on a seed page
that does not answer, on untranslated Korean, on a traceback in the log, or on any file created
or changed inside the installed package.

    python3 .ci/wheel_check.py [--python .venv/bin/python] [--keep]
"""
from __future__ import annotations

import argparse
import html.parser
import os
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ["/", "/exhibitions", "/exhibitions/timeline", "/calendar/exhibitions.ics", "/programmes", "/api/v1/",
         "/api/v1/exhibitions", "/api/v1/openapi.json", "/healthz", "/robots.txt", "/account/login",
         "/account/register", "/account/password/forgot", "/?lang=ko", "/exhibitions?lang=ko"]
MAX_PAGES = 350
MAX_QUERIES_PER_PATH = 3
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def step(title: str) -> float:
    print(f"-- {title}", flush=True)
    return time.monotonic()


def run(args: list[str | os.PathLike[str]], **kwargs: object) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], text=True, capture_output=True, **kwargs)  # type: ignore[call-overload]
    if done.returncode != 0:
        sys.exit(f"FAILED: {' '.join(map(str, args))}\n{done.stdout}\n{done.stderr}")
    return done


def tree_state(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*")}


def make_read_only(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


class Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or (tag in ("link", "script", "img") and name in ("href", "src"))):
                self.found.append(value)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(opener: urllib.request.OpenerDirector, url: str | urllib.request.Request) -> tuple[int, dict[str, str], bytes]:
    try:
        with opener.open(url, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def log_in(base: str, email: str, password: str) -> urllib.request.OpenerDirector:
    """An opener whose cookie jar holds a session of `email`."""
    opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPCookieProcessor())
    _status, _headers, body = fetch(opener, base + "/account/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"',
                      body.decode())
    if token is None:
        sys.exit("FAILED: no CSRF token on the login page")
    form = urllib.parse.urlencode({"email": email, "password": password,
                                   "csrf_token": token.group(1) or token.group(2)}).encode()
    status, _headers, _body = fetch(opener, urllib.request.Request(base + "/account/login", data=form))
    if status != 302:
        sys.exit(f"FAILED: logging in as {email} answered {status}")
    return opener


def crawl(base: str, seeds: list[str], opener: urllib.request.OpenerDirector | None = None,
          max_pages: int = MAX_PAGES) -> list[str]:
    """Breadth-first over same-site links; returns the problems found."""
    opener = opener or urllib.request.build_opener(NoRedirect)
    queue: deque[str] = deque(seeds)
    seen: set[str] = set(seeds)
    queries: dict[str, int] = {}
    problems: list[str] = []
    statuses: dict[int, int] = {}
    fetched = 0
    while queue and fetched < max_pages:
        path = queue.popleft()
        status, headers, body = fetch(opener, base + path)
        fetched += 1
        statuses[status] = statuses.get(status, 0) + 1
        if status >= 500:
            problems.append(f"{status} {path}")
        elif path in seeds and status >= 400:
            problems.append(f"seed page answered {status}: {path}")
        if "X-Request-ID" not in headers and "x-request-id" not in {k.lower() for k in headers}:
            problems.append(f"no X-Request-ID header on {path}")
        if path.endswith("lang=ko") and status == 200 and not HANGUL.search(body.decode("utf-8", "replace")):
            problems.append(f"no Korean text on {path}: catalogues missing from the wheel?")
        targets: list[str] = []
        if 300 <= status < 400 and headers.get("Location"):
            targets.append(headers["Location"])
        if "text/html" in headers.get("Content-Type", ""):
            parser = Links()
            parser.feed(body.decode("utf-8", "replace"))
            targets += parser.found
            # Every exhibition page links its own feed; check the feed of the first few too.
            targets += [t + ".ics" for t in parser.found if re.fullmatch(r"/exhibitions/[a-z0-9-]+-\d{4}", t)][:3]
        for target in targets:
            absolute = urllib.parse.urljoin(base + path, target)
            parts = urllib.parse.urlsplit(absolute)
            if f"{parts.scheme}://{parts.netloc}" != base:
                continue
            local = parts.path + (f"?{parts.query}" if parts.query else "")
            if local in seen or parts.path.startswith(("/language/", "/account/logout")):
                continue
            if parts.query:
                if queries.get(parts.path, 0) >= MAX_QUERIES_PER_PATH:
                    continue
                queries[parts.path] = queries.get(parts.path, 0) + 1
            seen.add(local)
            queue.append(local)
    print(f"   crawled {fetched} URLs: " + ", ".join(f"{n}×{s}" for s, n in sorted(statuses.items())), flush=True)
    if fetched < min(30, max_pages):
        problems.append(f"only {fetched} URLs reached: the crawl found too few links")
    return problems


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=str(ROOT / ".venv/bin/python"),
                        help="a Python with pip to build the wheel")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="planner-wheel-"))
    server: subprocess.Popen[bytes] | None = None
    try:
        started = step("build the wheel")
        run([options.python, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", work / "dist", ROOT])
        wheel = next((work / "dist").glob("planner-*.whl"))
        print(f"   {wheel.name} in {time.monotonic() - started:.0f} s", flush=True)

        started = step("install it into a fresh venv outside the checkout")
        run([sys.executable, "-m", "venv", work / "venv"])
        bin_dir = work / "venv/bin"
        run([bin_dir / "python", "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel])
        package = Path(run([bin_dir / "python", "-c", "import planner, os; print(os.path.dirname(planner.__file__))"],
                           cwd=work).stdout.strip())
        if ROOT in package.parents:
            sys.exit(f"FAILED: the venv imports the checkout ({package}), not the wheel")
        for folder in ("templates", "static", "migrations", "translations/ko/LC_MESSAGES"):
            if not (package / folder).is_dir():
                sys.exit(f"FAILED: the wheel has no {folder}/")
        if not (package / "translations/ko/LC_MESSAGES/messages.mo").is_file():
            sys.exit("FAILED: the wheel has no compiled Korean catalogue")
        make_read_only(package)
        before = tree_state(package)
        print(f"   installed in {time.monotonic() - started:.0f} s; {package} made read-only", flush=True)

        started = step("planner db upgrade, planner demo-data (writable: the instance folder only)")
        empty, instance = work / "empty", work / "instance"
        empty.mkdir()
        port = free_port()
        env = {key: value for key, value in os.environ.items()
               if key not in ("PYTHONPATH", "DATABASE_URL", "REDIS_URL", "SMTP_URL", "FLASK_APP")}
        env.update(PLANNER_INSTANCE_PATH=str(instance), SECRET_KEY=secrets.token_urlsafe(32),
                   SITE_URL=f"http://127.0.0.1:{port}", RATELIMIT_ENABLED="0", PYTHONDONTWRITEBYTECODE="1")
        run([bin_dir / "planner", "db", "upgrade"], cwd=empty, env=env)
        demo = run([bin_dir / "planner", "demo-data"], cwd=empty, env=env).stdout
        logins = dict(re.findall(r"^\s*(coordinator|applicant)\s+(\S+@\S+\s+\S+)\s*$", demo, re.M))
        print(f"   done in {time.monotonic() - started:.0f} s", flush=True)

        started = step("gunicorn, then crawl every public page and feed")
        log_path = work / "gunicorn.log"
        with log_path.open("wb") as log:
            server = subprocess.Popen(
                [bin_dir / "gunicorn", "-c", "python:planner.gunicorn_conf", "--workers", "2",
                 "--bind", f"127.0.0.1:{port}", "planner.wsgi:app"], cwd=empty, env=env, stdout=log, stderr=log)
        base = f"http://127.0.0.1:{port}"
        for _ in range(150):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=2).read()
                break
            except OSError:
                if server.poll() is not None:
                    sys.exit("FAILED: gunicorn exited:\n" + log_path.read_text())
                time.sleep(0.2)
        else:
            sys.exit("FAILED: gunicorn did not answer /healthz:\n" + log_path.read_text())
        problems = crawl(base, SEEDS)
        # Signed-in pages too (their templates ship in the wheel as well): the back office as
        # the demo coordinator, the company pages as the demo applicant. GET only.
        for role, seeds in (("coordinator", ["/backoffice/"]), ("applicant", ["/my/applications", "/my/calendar"])):
            if role not in logins:
                problems.append(f"demo-data printed no {role} login")
                continue
            email, password = logins[role].split()
            print(f"   as the demo {role}:", flush=True)
            problems += crawl(base, seeds, log_in(base, email, password), max_pages=150)
        server.terminate()
        server.wait(timeout=30)
        server = None
        log_text = log_path.read_text(errors="replace")
        if "Traceback" in log_text:
            problems.append("a traceback in gunicorn's log:\n" + log_text[log_text.index("Traceback"):][:3000])
        if "planner.request" not in log_text:
            problems.append("no request lines from the app in gunicorn's log (INFO dropped?)")
        changed = sorted(set(tree_state(package).items()) ^ set(before.items()))
        if changed:
            problems.append(f"the installed package was written to: {[name for name, _ in changed][:10]}")
        print(f"   done in {time.monotonic() - started:.0f} s", flush=True)
        if problems:
            print("FAILED:\n" + "\n".join(f"  {p}" for p in problems), flush=True)
            return 1
        print("OK: the wheel installs, migrates, loads demo data and serves every page read-only", flush=True)
        return 0
    finally:
        if server is not None:
            server.kill()
            server.wait()
        if options.keep:
            print(f"kept {work}")
        else:
            for path in work.rglob("*"):  # the read-only package folder must be writable to delete
                if path.is_dir():
                    path.chmod(path.stat().st_mode | stat.S_IWUSR)
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
