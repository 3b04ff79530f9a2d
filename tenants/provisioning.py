"""Creating partner schemas: from the migrated template (clone) or by migrating.

Both ways run inside the caller's transaction. PostgreSQL DDL is
transactional, so a failure later in provisioning leaves no schema behind.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django_tenants.clone import CloneSchema
from django_tenants.utils import schema_exists


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def template_schema_sync(*, verbosity: int = 0) -> str:
    """Create the template schema if missing and bring it up to date with the
    partner apps' migrations. Run after every migrate (bin/run, tests)."""
    template = settings.DMN_TEMPLATE_SCHEMA
    if not schema_exists(template):
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE SCHEMA {quote(template)}")
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=template,
        interactive=False,
        verbosity=verbosity,
    )
    connection.set_schema_to_public()
    return template


def schema_create_by_clone(schema_name: str) -> None:
    """Copy the template schema (tables, sequences, constraints and the
    django_migrations rows, so the new schema counts as migrated)."""
    template = settings.DMN_TEMPLATE_SCHEMA
    if not schema_exists(template):
        raise RuntimeError(
            f"The template schema {template!r} is missing: run `manage.py migrate_network`."
        )
    CloneSchema().clone_schema(template, schema_name, set_connection=False)
    connection.set_schema_to_public()


def schema_create_by_migrate(schema_name: str, *, verbosity: int = 0) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE SCHEMA {quote(schema_name)}")
    call_command(
        "migrate_schemas",
        tenant=True,
        schema_name=schema_name,
        interactive=False,
        verbosity=verbosity,
    )
    connection.set_schema_to_public()


def schema_create(schema_name: str, *, method: str | None = None) -> None:
    method = method or settings.DMN_PROVISIONING
    if method == "clone":
        schema_create_by_clone(schema_name)
    elif method == "migrate":
        schema_create_by_migrate(schema_name)
    else:
        raise ValueError(f"Unknown provisioning method {method!r}")
