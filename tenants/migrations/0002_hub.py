"""The hub is the tenant row of the public schema, at the base domain."""

from django.conf import settings
from django.db import migrations


def create_hub(apps, schema_editor):
    Partner = apps.get_model("tenants", "Partner")
    Domain = apps.get_model("tenants", "Domain")
    hub, _ = Partner.objects.get_or_create(
        schema_name="public",
        defaults={"slug": "hub", "name": "Network hub", "status": "active"},
    )
    Domain.objects.get_or_create(
        domain=settings.BASE_DOMAIN, defaults={"tenant": hub, "is_primary": True}
    )


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [migrations.RunPython(create_hub, migrations.RunPython.noop)]
