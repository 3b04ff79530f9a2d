"""IdempotencyRecord moves here from integrations (API plumbing belongs to the
core). State only: the table keeps its name, `integrations_idempotencyrecord`,
so existing rows stay where they are; the content type follows the model so
that its permissions are not left behind on a stale one."""

import django.db.models.deletion
from django.db import migrations, models


def content_type_to_portal(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="integrations", model="idempotencyrecord").update(
        app_label="portal"
    )


def content_type_to_integrations(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="portal", model="idempotencyrecord").update(
        app_label="integrations"
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0004_ledger_event_groups"),
        ("tenants", "0003_datasharingagreement"),
        ("integrations", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("key", models.CharField(max_length=255, verbose_name="idempotency key")),
                        (
                            "fingerprint",
                            models.CharField(max_length=64, verbose_name="request fingerprint"),
                        ),
                        (
                            "state",
                            models.CharField(
                                choices=[("in_flight", "In flight"), ("done", "Done")],
                                max_length=10,
                                verbose_name="state",
                            ),
                        ),
                        (
                            "status_code",
                            models.PositiveSmallIntegerField(null=True, verbose_name="status code"),
                        ),
                        (
                            "response_body",
                            models.JSONField(null=True, verbose_name="response body"),
                        ),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created"),
                        ),
                        (
                            "partner",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="tenants.partner",
                                verbose_name="partner",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "idempotency record",
                        "verbose_name_plural": "idempotency records",
                        "db_table": "integrations_idempotencyrecord",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("partner", "key"), name="idempotency_key_per_partner"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(content_type_to_portal, content_type_to_integrations),
    ]
