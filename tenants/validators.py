"""Rules for partner slugs, which become both a host name and a schema name."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext as _

SLUG_RE = re.compile(r"^[a-z][a-z0-9-]{0,28}[a-z0-9]$")
# Names the portal or PostgreSQL keep for themselves.
RESERVED_SLUGS = frozenset(
    {"public", "www", "hub", "api", "admin", "static", "media", "mail", "information-schema"}
)


def postgres_reserved_words() -> frozenset[str]:
    """Key words PostgreSQL reserves, read from the server itself (not a copied list)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM pg_get_keywords() WHERE catcode <> 'U'")
        return frozenset(row[0] for row in cursor.fetchall())


def schema_name_for(slug: str) -> str:
    return slug.replace("-", "_")


def validate_partner_slug(slug: str) -> None:
    if not SLUG_RE.match(slug or ""):
        raise ValidationError(
            _(
                "Use 2 to 30 lowercase letters, digits and hyphens, starting with a letter "
                "and not ending with a hyphen."
            ),
            code="invalid",
        )
    schema = schema_name_for(slug)
    if slug in RESERVED_SLUGS or schema.startswith("pg_") or schema == settings.DMN_TEMPLATE_SCHEMA:
        raise ValidationError(_("“%(slug)s” is reserved."), code="reserved", params={"slug": slug})
    if schema in postgres_reserved_words():
        raise ValidationError(
            _("“%(slug)s” is a PostgreSQL reserved word; choose another."),
            code="reserved_word",
            params={"slug": slug},
        )
