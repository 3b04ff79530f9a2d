# The hub's copies of capacity declarations became projections of the network
# ledger. Copies written before are appended once as the events that produce
# them, so that a rebuild from the ledger alone gives them back.

from django.db import migrations

from portal.ledger_genesis import genesis_append


def append_existing_copies(apps, schema_editor):
    LedgerEvent = apps.get_model("portal", "LedgerEvent")
    if LedgerEvent.objects.filter(kind="capacity.declared").exists():
        return  # already fed by the ledger
    PlantCapacity = apps.get_model("orders_hub", "PlantCapacity")
    with schema_editor.connection.cursor() as cursor:
        for row in PlantCapacity.objects.select_related("plant").order_by("declared_at", "id"):
            genesis_append(
                cursor,
                at=row.declared_at,
                partner_id=row.plant.partner_id,
                kind="capacity.declared",
                group="capacity",
                actor_label=row.declared_by_label,
                payload={
                    "plant": row.plant_id,
                    "work_centres": row.work_centres,
                    "capabilities": row.capabilities,
                    "downtime": row.downtime,
                },
            )


class Migration(migrations.Migration):
    dependencies = [
        ("orders_hub", "0004_planning_inputs_and_runs"),
        ("portal", "0004_ledger_event_groups"),
    ]

    operations = [migrations.RunPython(append_existing_copies, migrations.RunPython.noop)]
