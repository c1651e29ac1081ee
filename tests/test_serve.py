"""`scripts/serve` (issue 16, E): the production server — gunicorn, static files from the app,
the worker beside it — starts from the environment and serves pages, static files and /helse/."""

from __future__ import annotations

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LISPLAN_", "DJANGO_"))}
    env.update(
        {
            "PORT": str(port),
            "LISPLAN_BIND_ADDRESS": "127.0.0.1",
            "LISPLAN_WEB_WORKERS": "1",
            "LISPLAN_WEB_THREADS": "2",
            "LISPLAN_SKIP_BOOTSTRAP": "1",
            "LISPLAN_SECRET_KEY": secrets.token_urlsafe(50),
            "LISPLAN_ALLOWED_HOSTS": "127.0.0.1",
            "LISPLAN_HTTPS": "0",
            "LISPLAN_VAR_DIR": str(tmp_path / "var"),
            "LISPLAN_STATIC_ROOT": str(tmp_path / "static"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
        }
    )
    lisplan = (
        str(ROOT / ".venv/bin/lisplan")
        if (ROOT / ".venv/bin/lisplan").exists()
        else str(Path(sys.executable).parent / "lisplan")
    )
    process = subprocess.Popen(
        [str(ROOT / "scripts/serve")],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if process.poll() is not None:
                pytest.fail("scripts/serve stopped: " + process.stdout.read().decode()[-3000:])
            try:
                requests.get(base + "/helse/?del=web", timeout=15)
                break
            except requests.ConnectionError:
                time.sleep(0.5)
        else:
            pytest.fail("scripts/serve did not answer within 120 s")
        yield base, env, lisplan
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_serve_runs_gunicorn_with_static_files_worker_and_health(served):
    base, env, lisplan = served
    login = requests.get(base + "/logg-inn/", timeout=10)
    assert login.status_code == 200 and "Logg inn" in login.text
    assert "gunicorn" in login.headers.get("Server", "")
    assert "script-src 'self'" in login.headers["Content-Security-Policy"]
    assert login.headers["Cache-Control"] == "private, no-store"

    css = re.search(r'href="(/static/lisplan/app\.css)"', login.text).group(1)
    static = requests.get(base + css, timeout=10)
    assert static.status_code == 200 and "htmx-indicator" in static.text
    assert "no-store" not in static.headers.get("Cache-Control", "")

    # The worker reports in: /helse/ checks the database and the worker's heartbeat.
    for _ in range(60):
        health = requests.get(base + "/helse/", timeout=10)
        if health.status_code == 200:
            break
        time.sleep(0.5)
    assert health.json() == {
        "database": "ok",
        "worker": {
            "status": "ok",
            "last_seen_seconds_ago": health.json()["worker"]["last_seen_seconds_ago"],
        },
        "status": "ok",
    }

    # A signed-in page over the production settings (plain HTTP here: LISPLAN_HTTPS=0).
    subprocess.run(
        [
            lisplan,
            "shell",
            "-c",
            "from lisplan.accounts.models import User; "
            "u = User.objects.create_user('drift', password='langt-passord-9')",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    session = requests.Session()
    page = session.get(base + "/logg-inn/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        base + "/logg-inn/",
        timeout=10,
        data={"csrfmiddlewaretoken": token, "username": "drift", "password": "langt-passord-9"},
        headers={"Referer": base + "/logg-inn/"},
    )
    assert response.status_code == 200 and response.url == base + "/"
    assert "Logg ut" in response.text
