"""A real portal for the browser journeys: its own database, its own server, real Chromium.

pytest-django's `live_server` needs `transactional_db`, whose flushes would
wipe the hub row and break the partner schemas. Instead, once per session:

1. create a separate database (`dmn_e2e_<pid>`) on the server of DATABASE_URL;
2. `migrate_network` and `seed_demo` into it, and `collectstatic` (WhiteNoise
   serves var/static also with DEBUG off);
3. serve it with `runserver --noreload` on a free port of 127.0.0.1;
4. drive Chromium (Debian's, from DMN_CHROMIUM) with Playwright.

None of this requests the `db` fixture, so the suite's own test database and
its personas stay untouched. The hub is http://localhost:<port>, partner `acme`
is http://acme.localhost:<port> (Chromium resolves *.localhost to loopback).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import environ
import psycopg
import pytest
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
SCREENSHOTS = VAR / "e2e-screenshots"
SERVER_LOG = VAR / "e2e-server.log"
DEFAULT_DATABASE_URL = f"postgres://postgres@/dmn_portal?host={VAR / 'postgres' / 'run'}"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
START_TIMEOUT_S = 30


def chromium_path() -> str | None:
    """Debian's Chromium (bin/test exports DMN_CHROMIUM); never a downloaded browser."""
    path = os.environ.get("DMN_CHROMIUM") or shutil.which("chromium")
    return path if path and os.access(path, os.X_OK) else None


@dataclass(frozen=True)
class Portal:
    port: int
    database_url: str

    def url(self, path: str = "/", partner: str | None = None) -> str:
        """`partner=None`: the hub; otherwise that partner's own host."""
        host = f"{partner}.localhost" if partner else "localhost"
        return f"http://{host}:{self.port}{path}"

    def query(self, statement: str, *params):
        """Read the portal's database directly (psycopg: no Django ORM next to Playwright)."""
        with psycopg.connect(**_conninfo(self.database_url)) as conn:
            return conn.execute(statement, params).fetchall()


def _conninfo(url: str, dbname: str | None = None) -> dict:
    cfg = environ.Env.db_url_config(url)
    info = {
        "dbname": dbname or cfg["NAME"],
        "user": cfg["USER"] or None,
        "password": cfg["PASSWORD"] or None,
        "host": cfg["HOST"] or cfg.get("OPTIONS", {}).get("host") or None,
        "port": cfg["PORT"] or None,
    }
    return {key: value for key, value in info.items() if value}


def _with_database(url: str, name: str) -> str:
    return urllib.parse.urlsplit(url)._replace(path=f"/{name}").geturl()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"manage.py {' '.join(args)} failed ({result.returncode}):\n"
            f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}",
            pytrace=False,
        )


def _wait_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(
                f"runserver exited with {server.returncode}; see {SERVER_LOG}", pytrace=False
            )
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (our URL)
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    pytest.fail(f"{url} did not answer within {START_TIMEOUT_S} s; see {SERVER_LOG}")


@pytest.fixture(scope="session")
def portal() -> Iterator[Portal]:
    base_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    name = f"dmn_e2e_{os.getpid()}"
    maintenance = _conninfo(base_url, dbname="postgres")
    with psycopg.connect(**maintenance, autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    database_url = _with_database(base_url, name)
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_DEBUG": "0",
        "DMN_PUBLIC_PORT": str(port),
        "PYTHONUNBUFFERED": "1",
    }
    if env.get("REDIS_URL"):
        # A queue of this run's own, so that no other worker on the same Redis takes its tasks.
        env["CELERY_TASK_DEFAULT_QUEUE"] = f"e2e_{os.getpid()}"
    else:
        env["CELERY_TASK_ALWAYS_EAGER"] = "1"  # no broker: tasks run inside the request
    server = None
    worker = None
    log = None
    try:
        _manage(env, "migrate_network", "-v0")
        _manage(env, "seed_demo")
        _manage(env, "collectstatic", "--noinput", "-v0")
        VAR.mkdir(exist_ok=True)
        log = SERVER_LOG.open("w")
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if env.get("REDIS_URL"):
            worker = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "worker",
                    "--pool=solo",
                    "--queues",
                    env["CELERY_TASK_DEFAULT_QUEUE"],
                    "--loglevel=WARNING",
                ],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        portal = Portal(port=port, database_url=database_url)
        _wait_healthy(portal.url("/health/"), server)
        yield portal
    finally:
        if worker is not None:
            worker.terminate()
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        if log is not None:
            log.close()
        with psycopg.connect(**maintenance, autocommit=True) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_path()
    if executable is None:
        pytest.skip("Chromium not found: set DMN_CHROMIUM or install Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, portal):
    """A fresh browser profile per journey: no cookies carried over."""
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context
    context.close()


@pytest.fixture
def page(context):
    return context.new_page()


@pytest.fixture(scope="session")
def screenshot():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
