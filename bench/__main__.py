"""DMN Portal bench: provisioning, migrate_schemas at scale, page latency.

    bin/bench                 # starts what it needs, like bin/test
    python -m bench --help    # with DATABASE_URL already pointing at a server

Runs in its own database (DMN_BENCH_DB, default `dmn_bench`) on the server of
DATABASE_URL, created empty at the start and dropped at the end; the database
DATABASE_URL names is never opened. See bench/README.md for what each figure means.
The other benches: `python -m bench.orders` (order pages at network scale),
`python -m bench.planning` (the planning engine; no database) and
`python -m bench.quality` (certificate of conformance and quality dossier PDFs).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import platform
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import contextmanager

from .database import ROOT, BenchDatabase
from .stats import Table, ms, p95, s, timed

CLONE, MIGRATE = "clone", "migrate"


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--partners", type=int, default=100, help="partners for the scale figures")
    p.add_argument("--runs", type=int, default=5, help="timed provisionings per method")
    p.add_argument("--migrate-runs", type=int, default=3, help="timed migrate_schemas runs")
    p.add_argument("--requests", type=int, default=200, help="timed requests per page")
    p.add_argument("--warmup", type=int, default=10, help="untimed requests per page first")
    p.add_argument(
        "--profile", action="store_true", help="also print cProfile's top functions per method"
    )
    p.add_argument("--keep", action="store_true", help="keep the bench database at the end")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    db = BenchDatabase.from_environment()
    media = tempfile.TemporaryDirectory(prefix="dmn-bench-media-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DATABASE_URL": db.url,
            "DJANGO_DEBUG": "false",
            "DMN_MEDIA_ROOT": media.name,
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    print(
        f"bench: creating database {db.name} (DATABASE_URL's {db.dev_name} is not used)",
        file=sys.stderr,
    )
    server_version = db.create()
    django_ready = False
    try:
        import django

        django.setup()
        django_ready = True
        report = Bench(args).run()
        print(header(db, server_version, args))
        print(report)
    finally:
        if django_ready:
            from django.db import connections

            connections.close_all()
        if args.keep:
            print(f"bench: kept database {db.name}", file=sys.stderr)
        else:
            db.drop()
            print(f"bench: dropped database {db.name}", file=sys.stderr)
        media.cleanup()
    return 0


def header(db: BenchDatabase, server_version: str, args) -> str:
    import django

    try:
        commit = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "?"
    return (
        f"DMN Portal bench  {time.strftime('%Y-%m-%d %H:%M')}  commit {commit}\n"
        f"PostgreSQL {server_version}, Python {platform.python_version()}, "
        f"Django {django.get_version()}, {os.cpu_count()} CPUs, database {db.name}\n"
    )


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


@contextmanager
def sql_timer():
    """Time every SQL statement Django sends, grouped by what it does."""
    from django.db import connection

    groups: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])

    def kind(sql: str) -> str:
        head = " ".join(sql.split()[:4]).upper()
        if head.startswith("SET SEARCH_PATH"):
            return "SET search_path"
        if head.startswith("SELECT CLONE_SCHEMA"):
            return "SELECT clone_schema(...)"
        if "pg-clone-schema" in sql[:300]:
            return "(re)install clone_schema()"
        for prefix in ("CREATE", "ALTER", "DROP", "COMMENT"):
            if head.startswith(prefix):
                return "DDL (CREATE/ALTER ...)"
        if "DJANGO_MIGRATIONS" in head or "django_migrations" in sql[:200]:
            return "django_migrations bookkeeping"
        if "PG_CATALOG" in sql[:500].upper() or "INFORMATION_SCHEMA" in sql[:500].upper():
            return "catalog introspection"
        return "other SQL"

    def wrapper(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            g = groups[kind(sql)]
            g[0] += 1
            g[1] += time.perf_counter() - start

    with connection.execute_wrapper(wrapper):
        yield groups


def vacuum() -> None:
    """Start each phase from the same state: no dead catalog rows, fresh statistics.

    Provisioning leaves dead rows in pg_class, pg_depend, pg_type and pg_proc;
    without this, figures would depend on when autovacuum last ran.
    """
    from django.db import connection

    connection.set_schema_to_public()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


class Bench:
    def __init__(self, args):
        self.args = args
        self.browser = None  # bench.world.Browser, once Django is set up

    # --- helpers -------------------------------------------------------------

    @staticmethod
    def provision(slug: str, method: str) -> float:
        from tenants.services import partner_provision

        seconds, _ = timed(
            partner_provision, slug=slug, name=slug.title(), status="active", method=method
        )
        return seconds

    def get_ok(self, visitor, path):
        response = self.browser.get(visitor, path)
        if response.status_code != 200:
            raise SystemExit(
                f"bench: GET {visitor.host}{path} returned {response.status_code}, expected 200"
            )
        return response

    def query_counts(self, visitors, path, samples=5) -> list[int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        counts = []
        for visitor in visitors[:samples]:
            with CaptureQueriesContext(connection) as ctx:
                self.get_ok(visitor, path)
            counts.append(len(ctx.captured_queries))
        return counts

    def latency(self, visitors, path, *, fresh_connection=False) -> list[float]:
        """Timed requests after `warmup` untimed ones, cycling through `visitors`.

        fresh_connection: close the DB connection before each request (untimed),
        so that each request connects anew, as with CONN_MAX_AGE=0.
        """
        from django.db import connection

        n = len(visitors)
        for i in range(self.args.warmup):
            self.get_ok(visitors[i % n], path)
        times = []
        for i in range(self.args.requests):
            if fresh_connection:
                connection.close()
            seconds, _ = timed(self.get_ok, visitors[i % n], path)
            times.append(seconds)
        return times

    def first_visits(self, visitors, path) -> list[float]:
        """One request per visitor on a new DB connection: each one is the first
        visit of that partner's schema on the connection."""
        from django.db import connection

        connection.close()
        return [timed(self.get_ok, visitor, path)[0] for visitor in visitors]

    # --- the run ------------------------------------------------------------------

    def run(self) -> str:
        from django.core.management import call_command

        from tenants.models import Partner

        from .world import Browser, hub_planner, partner_member, partner_populate, visitor_for

        log("migrate_network (hub, template schema)")
        setup_s, _ = timed(call_command, "migrate_network", verbosity=0, stdout=io.StringIO())
        hub = Partner.objects.get(schema_name="public")
        self.browser = Browser()
        planner = visitor_for(hub_planner(), hub)

        # 1. Scale: N partners by clone, with data; query counts at 10 and at N.
        n_total = self.args.partners
        n_small = min(10, n_total)
        log(f"provisioning {n_total} partners by clone")
        vacuum()
        partners, clone_times = [], []
        counts_small = {}
        for i in range(n_total):
            slug = f"bench-{i:03d}"
            clone_times.append(self.provision(slug, CLONE))
            partners.append(Partner.objects.get(slug=slug))
            partner_populate(partners[-1], i)
            if i + 1 == n_small:
                counts_small = self.page_query_counts(partners, planner, partner_member)

        log("migrate_schemas with nothing to migrate")
        vacuum()
        migrate_times = []
        for _ in range(self.args.migrate_runs):
            seconds, _ = timed(
                call_command,
                "migrate_schemas",
                interactive=False,
                verbosity=0,
                stdout=io.StringIO(),
            )
            migrate_times.append(seconds)
        from django.db import connection

        connection.set_schema_to_public()

        # 2. Pages at N partners.
        log(f"page latency ({self.args.requests} requests per page)")
        vacuum()
        members = [partner_member(p) for p in partners]
        counts_big = self.page_query_counts(partners, planner, partner_member, members)
        pages = [  # (label, times, path for query counts)
            ("partner home /  (member, <slug>.localhost)", self.latency(members, "/"), "/"),
            (
                "  same, first visit per partner on a connection",
                self.first_visits(members, "/"),
                None,
            ),
            (
                "  same, new DB connection per request",
                self.latency(members, "/", fresh_connection=True),
                None,
            ),
            (
                "hub registry /partners/  (planner)",
                self.latency([planner], "/partners/"),
                "/partners/",
            ),
            (
                "hub registry /partners/?page=2",
                self.latency([planner], "/partners/?page=2"),
                "/partners/?page=2",
            ),
        ]

        # 3. Clone vs migrate, both at N partners, alternating which goes first.
        log(f"provisioning: {self.args.runs} x clone, {self.args.runs} x migrate")
        vacuum()
        self.provision("warm-clone", CLONE)
        self.provision("warm-migrate", MIGRATE)
        runs = {CLONE: [], MIGRATE: []}  # (seconds, SQL time by kind of statement)
        for i in range(self.args.runs):
            order = (CLONE, MIGRATE) if i % 2 == 0 else (MIGRATE, CLONE)
            for method in order:
                with sql_timer() as groups:
                    seconds = self.provision(f"{method}-{i}", method)
                runs[method].append((seconds, dict(groups)))
        method_times = {m: [sec for sec, _ in r] for m, r in runs.items()}
        # The split of the median run (runs is odd by default; else the upper middle).
        breakdown = {m: sorted(r, key=lambda run: run[0])[len(r) // 2] for m, r in runs.items()}
        profiles = {}
        if self.args.profile:
            for method in (CLONE, MIGRATE):
                profiler = cProfile.Profile()
                profiler.runcall(self.provision, f"{method}-prof", method)
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(25)
                profiles[method] = out.getvalue()

        return self.render(
            setup_s=setup_s,
            n_total=n_total,
            n_small=n_small,
            clone_times=clone_times,
            migrate_times=migrate_times,
            method_times=method_times,
            breakdown=breakdown,
            pages=pages,
            counts_small=counts_small,
            counts_big=counts_big,
            profiles=profiles,
        )

    def page_query_counts(self, partners, planner, member, members=None):
        members = members or [member(p) for p in partners[:5]]
        counts = {
            "/": self.query_counts(members, "/"),
            "/partners/": self.query_counts([planner], "/partners/"),
        }
        if len(partners) > 25:
            counts["/partners/?page=2"] = self.query_counts([planner], "/partners/?page=2")
        return counts

    # --- the report ---------------------------------------------------------------

    def render(self, **r) -> str:
        from django.conf import settings

        n = r["n_total"]
        out = [f"setup: migrate_network on an empty database {s(r['setup_s'])} s", ""]

        t = Table(
            f"1. Provisioning one partner, seconds (with {n} partners in place; "
            "partner_provision end to end)",
            ["method", "runs", "median", "min", "max"],
        )
        med = {}
        for method, label in (
            (CLONE, "clone  (copy template schema)"),
            (MIGRATE, "migrate (replay migrations)"),
        ):
            times = r["method_times"][method]
            med[method] = statistics.median(times)
            t.add(label, len(times), s(med[method]), s(min(times)), s(max(times)))
        fast, slow = sorted((CLONE, MIGRATE), key=med.get)
        t.notes.append(
            f"{fast} is faster: {med[slow] / med[fast]:.1f}x ({s(med[slow] - med[fast])} s less); "
            f"project default DMN_PROVISIONING={settings.DMN_PROVISIONING!r}"
            + ("" if fast == settings.DMN_PROVISIONING else "  <-- default is the slower one")
        )
        t.notes.append(
            "one untimed warm-up per method first; runs alternate which method goes first"
        )
        for method in (CLONE, MIGRATE):
            total, groups = r["breakdown"][method]
            sql_s = sum(g[1] for g in groups.values())
            parts = sorted(groups.items(), key=lambda kv: -kv[1][1])
            detail = ", ".join(f"{k} {s(v[1])} s ({v[0]} stmts)" for k, v in parts[:3])
            t.notes.append(
                f"median {method} run, {s(total)} s: SQL {s(sql_s)} s [{detail}]; "
                f"Python and rest {s(total - sql_s)} s"
            )
        out += [t.render(), ""]

        t = Table(f"2. {n} partners", ["measure", "runs", "median", "min", "max"])
        ct = r["clone_times"]
        t.add(f"provision {n} partners by clone, total s", 1, s(sum(ct)), "", "")
        t.add("  per partner, s", len(ct), s(statistics.median(ct)), s(min(ct)), s(max(ct)))
        k = min(10, len(ct))
        t.add(f"  per partner, first {k}, s", k, s(statistics.median(ct[:k])), "", "")
        t.add(f"  per partner, last {k}, s", k, s(statistics.median(ct[-k:])), "", "")
        mt = r["migrate_times"]
        t.add(
            "migrate_schemas, nothing to migrate, s",
            len(mt),
            s(statistics.median(mt)),
            s(min(mt)),
            s(max(mt)),
        )
        t.notes.append(
            f"migrate_schemas covers public + {n} partner schemas (standard executor), "
            f"{ms(statistics.median(mt) / (n + 1))} ms per schema"
        )
        t.notes.append("provisioning times exclude adding plants, certifications and members")
        first, last = statistics.median(ct[:k]), statistics.median(ct[-k:])
        if last > 1.5 * first:
            t.notes.append(
                f"per-partner time grows {last / first:.1f}x within the burst: dead catalog rows "
                "pile up until (auto)vacuum (see bench/README.md)"
            )
        out += [t.render(), ""]

        t = Table(
            f"3. Pages with {n} partners, ms per request (django.test.Client, in process)",
            ["page", "requests", "median", "p95", "max", f"queries @{r['n_small']}", f"@{n}"],
        )
        grows = []

        def fmt(counts):
            if not counts:
                return "-"
            return str(counts[0]) if len(set(counts)) == 1 else f"{min(counts)}-{max(counts)}"

        for label, times, path in r["pages"]:
            small = r["counts_small"].get(path) if path else None
            big = r["counts_big"][path] if path else None
            if small and max(big) > max(small):
                grows.append(path)
            t.add(
                label,
                len(times),
                ms(statistics.median(times)),
                ms(p95(times)),
                ms(max(times)),
                fmt(small),
                fmt(big),
            )
        t.notes.append(
            f"partner home cycles through all {n} partners, each with its own signed-in member; "
            f"{self.args.warmup} untimed warm-up requests first, except for first visits"
        )
        t.notes.append(
            "first visit: the connection has not yet served that schema; new DB connection: "
            "connect + first visit on every request, as with CONN_MAX_AGE=0 (the default)"
        )
        t.notes.append(
            "queries: SQL statements per request (CaptureQueriesContext), "
            + ("GROWS with partners: " + ", ".join(grows) if grows else "constant in partners")
        )
        out.append(t.render())

        for method, text in r["profiles"].items():
            out += ["", f"cProfile, one {method} provisioning (top 25 by cumulative time)", text]
        return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
