"""The bench's own database: created fresh next to the dev database, dropped at the end.

This module must not import Django settings: it runs before `django.setup()`,
to decide which database Django will use.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
# The same default as portal/settings/base.py: the embedded server bin/run starts.
DEFAULT_URL = f"postgres://postgres@/dmn_portal?host={ROOT / 'var' / 'postgres' / 'run'}"
DEFAULT_BENCH_DB = "dmn_bench"
DJANGO_ONLY_OPTIONS = {"isolation_level", "pool", "server_side_binding", "assume_role"}


@dataclass(frozen=True)
class BenchDatabase:
    url: str  # DATABASE_URL for Django, pointing at the bench database
    name: str
    dev_name: str  # the database DATABASE_URL named; never opened
    server: dict  # connection keywords for the server's maintenance database

    @classmethod
    def from_environment(cls) -> BenchDatabase:
        dev_url = os.environ.get("DATABASE_URL") or DEFAULT_URL
        name = os.environ.get("DMN_BENCH_DB", DEFAULT_BENCH_DB)
        config = environ.Env.db_url_config(dev_url)
        dev_name = config["NAME"]
        if not name or name == dev_name:
            raise SystemExit(
                f"bench: refusing to use {name!r}: it is the database of DATABASE_URL. "
                "Set DMN_BENCH_DB to another name."
            )
        parts = urlsplit(dev_url)
        url = urlunsplit(parts._replace(path=f"/{name}"))
        if environ.Env.db_url_config(url)["NAME"] != name:  # pragma: no cover - defensive
            raise SystemExit(f"bench: could not point {dev_url!r} at {name!r}")
        server = {
            "dbname": "postgres",
            "user": config.get("USER") or None,
            "password": config.get("PASSWORD") or None,
            "host": config.get("HOST") or None,
            "port": config.get("PORT") or None,
            # Query parameters (host=/socket/dir, sslmode, ...) are libpq keywords,
            # as Django passes them; leave out the ones only Django understands.
            **{k: v for k, v in config.get("OPTIONS", {}).items() if k not in DJANGO_ONLY_OPTIONS},
        }
        return cls(url=url, name=name, dev_name=dev_name, server=server)

    def _admin(self) -> psycopg.Connection:
        params = {k: v for k, v in self.server.items() if v not in (None, "")}
        return psycopg.connect(autocommit=True, **params)

    def create(self) -> str:
        """Drop any bench database left by an interrupted run, create it empty;
        return the server's version."""
        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
            return conn.execute("SHOW server_version").fetchone()[0]

    def drop(self) -> None:
        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(self.name))
            )
