"""Issue 12, finding 3: a Redis outage must not break the rate-limited forms. Limits fall back
to in-process storage while Redis is unreachable (see README, "Rate limits")."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time

import pytest

from planner.extensions import limiter
from tests.factories import make_user


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def redis_server(tmp_path):
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield process, f"redis://127.0.0.1:{port}/0"
    # The limiter is one object for every test's app and remembers the outage (it would count
    # the next tests in its fallback until its next health check, 10 s later).
    limiter._storage_dead = False
    if process.poll() is None:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def app_config(tmp_path, redis_server):
    _process, url = redis_server
    return {"MAIL_DIR": str(tmp_path / "mail"), "REDIS_URL": url, "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": url}


def test_the_rate_limited_forms_answer_while_redis_is_down(app, client, db, redis_server):
    process, _url = redis_server
    make_user(email="kim@example.com")
    db.session.commit()
    login = {"email": "kim@example.com", "password": "wrong-password"}
    assert client.post("/account/login", data=login).status_code == 400
    process.terminate()
    process.wait(timeout=10)
    for path, data in [("/account/login", login), ("/account/password/forgot", {"email": "kim@example.com"})]:
        response = client.post(path, data=data)
        assert response.status_code < 500, (path, response.status_code)
    # Still limited while Redis is away: in-process counting takes over.
    statuses = [client.post("/account/login", data=login).status_code for _ in range(12)]
    assert 429 in statuses
