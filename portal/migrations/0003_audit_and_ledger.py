# Squashed from 0003-0013, whose other operations only re-listed the audit actions:
# the actions and ledger kinds are registered in code (portal.vocabulary) now.

import django.db.models.deletion
import portal.vocabulary
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("portal", "0003_auditentry_append_only"),
        ("portal", "0004_audit_registry_actions"),
        ("portal", "0005_alter_auditentry_action_ledgerevent"),
        ("portal", "0006_ledger_append_only"),
        ("portal", "0007_audit_api_key_actions"),
        ("portal", "0008_audit_sharing_action"),
        ("portal", "0009_audit_import_action"),
        ("portal", "0010_audit_permission_revoked"),
        ("portal", "0011_audit_planning_input_actions"),
        ("portal", "0012_audit_plan_actions"),
        ("portal", "0013_alter_auditentry_action"),
    ]

    dependencies = [
        ("portal", "0002_initial"),
        ("tenants", "0003_datasharingagreement"),
    ]

    operations = [
        migrations.RunSQL(
            sql="\nCREATE OR REPLACE FUNCTION portal_auditentry_append_only() RETURNS trigger AS $$\nBEGIN\n    RAISE EXCEPTION 'portal_auditentry is append-only (% refused)', TG_OP\n        USING ERRCODE = 'insufficient_privilege';\nEND;\n$$ LANGUAGE plpgsql;\n\nCREATE TRIGGER portal_auditentry_no_update_delete\n    BEFORE UPDATE OR DELETE ON portal_auditentry\n    FOR EACH ROW EXECUTE FUNCTION portal_auditentry_append_only();\n",
            reverse_sql="\nDROP TRIGGER IF EXISTS portal_auditentry_no_update_delete ON portal_auditentry;\nDROP FUNCTION IF EXISTS portal_auditentry_append_only();\n",
        ),
        migrations.CreateModel(
            name="LedgerEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True, db_index=True, verbose_name="when")),
                (
                    "kind",
                    models.CharField(
                        choices=portal.vocabulary.ledger_kind_choices,
                        max_length=20,
                        verbose_name="event",
                    ),
                ),
                (
                    "order_number",
                    models.CharField(db_index=True, max_length=20, verbose_name="network order"),
                ),
                (
                    "work_order_number",
                    models.CharField(db_index=True, max_length=30, verbose_name="work order"),
                ),
                ("actor_label", models.CharField(blank=True, max_length=254, verbose_name="who")),
                ("payload", models.JSONField(default=dict, verbose_name="released data")),
                (
                    "partner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="tenants.partner",
                        verbose_name="partner",
                    ),
                ),
            ],
            options={
                "verbose_name": "ledger event",
                "verbose_name_plural": "ledger events",
                "ordering": ["at", "id"],
            },
        ),
        migrations.RunSQL(
            sql="\nCREATE TRIGGER portal_ledgerevent_no_update_delete\n    BEFORE UPDATE OR DELETE ON portal_ledgerevent\n    FOR EACH ROW EXECUTE FUNCTION portal_auditentry_append_only();\n",
            reverse_sql="DROP TRIGGER IF EXISTS portal_ledgerevent_no_update_delete ON portal_ledgerevent;",
        ),
    ]
