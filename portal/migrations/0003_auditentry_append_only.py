"""The audit log is append-only in the database too, whatever client writes to it.

Rows cannot be updated or deleted. TRUNCATE stays possible for the table's
owner (test database flushes); production roles should not own the table.
"""

from django.db import migrations

SQL = """
CREATE OR REPLACE FUNCTION portal_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'portal_auditentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER portal_auditentry_no_update_delete
    BEFORE UPDATE OR DELETE ON portal_auditentry
    FOR EACH ROW EXECUTE FUNCTION portal_auditentry_append_only();
"""

REVERSE = """
DROP TRIGGER IF EXISTS portal_auditentry_no_update_delete ON portal_auditentry;
DROP FUNCTION IF EXISTS portal_auditentry_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_initial")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
