from django.db import migrations

SQL = """
CREATE TRIGGER portal_ledgerevent_no_update_delete
    BEFORE UPDATE OR DELETE ON portal_ledgerevent
    FOR EACH ROW EXECUTE FUNCTION portal_auditentry_append_only();
"""
REVERSE = "DROP TRIGGER IF EXISTS portal_ledgerevent_no_update_delete ON portal_ledgerevent;"


class Migration(migrations.Migration):
    """The ledger, like the audit log, refuses UPDATE and DELETE from any client."""

    dependencies = [("portal", "0005_alter_auditentry_action_ledgerevent")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
