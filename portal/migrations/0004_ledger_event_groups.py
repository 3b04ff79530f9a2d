# The ledger records which sharing group each released field came from, so that a
# rebuild can leave out what a partner's agreement no longer releases. Events
# written before carry the groups their fields were always published in.

import portal.vocabulary
from django.db import migrations, models


GROUPS_OF_EARLIER_EVENTS = """
ALTER TABLE portal_ledgerevent DISABLE TRIGGER portal_ledgerevent_no_update_delete;
UPDATE portal_ledgerevent AS e SET groups = coalesce((
    SELECT jsonb_object_agg(grouped.name, grouped.fields)
    FROM (
        SELECT CASE
                 WHEN e.kind IN ('dispatched', 'counter_approved', 'counter_declined') THEN 'decision'
                 WHEN field IN ('good', 'scrap', 'percent_complete', 'shipped', 'shipped_total')
                   THEN 'quantities'
                 WHEN field IN ('started_at', 'finished_at') THEN 'dates'
                 WHEN field IN ('notes', 'reason_text') THEN 'notes'
                 WHEN field IN ('carrier', 'tracking_number', 'lots') THEN 'shipping'
                 ELSE 'status'
               END AS name,
               jsonb_agg(field ORDER BY field) AS fields
        FROM jsonb_object_keys(e.payload) AS field
        GROUP BY 1
    ) AS grouped
), '{}'::jsonb)
WHERE e.groups = '{}'::jsonb;
ALTER TABLE portal_ledgerevent ENABLE TRIGGER portal_ledgerevent_no_update_delete;
"""


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_audit_and_ledger"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerevent",
            name="groups",
            field=models.JSONField(blank=True, default=dict, verbose_name="released groups"),
        ),
        migrations.AlterField(
            model_name="ledgerevent",
            name="kind",
            field=models.CharField(
                choices=portal.vocabulary.ledger_kind_choices, max_length=40, verbose_name="event"
            ),
        ),
        migrations.AlterField(
            model_name="ledgerevent",
            name="order_number",
            field=models.CharField(
                blank=True, db_index=True, max_length=20, verbose_name="network order"
            ),
        ),
        migrations.AlterField(
            model_name="ledgerevent",
            name="work_order_number",
            field=models.CharField(
                blank=True, db_index=True, max_length=30, verbose_name="work order"
            ),
        ),
        migrations.RunSQL(
            sql=GROUPS_OF_EARLIER_EVENTS,
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
