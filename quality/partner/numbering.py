"""Numbers given to a partner's quality records (NCR-00001, COC-ACME-000001):
allocated one at a time per schema."""

from django.db import connection


def sequence_lock(name: str) -> None:
    """Serialise number allocation per schema until the transaction ends."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext(%s))", [f"{connection.schema_name}:{name}"]
        )
