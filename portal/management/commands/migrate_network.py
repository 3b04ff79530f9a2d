from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from tenants.models import Domain, Partner
from tenants.provisioning import template_schema_sync


class Command(BaseCommand):
    help = "Migrate the hub, every partner schema and the partner template schema."

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=verbosity)
        hub = Partner.objects.get(schema_name="public")
        hub_domain = hub.domains.filter(is_primary=True).first()
        if hub_domain and hub_domain.domain != settings.BASE_DOMAIN:
            Domain.objects.filter(pk=hub_domain.pk).update(domain=settings.BASE_DOMAIN)
        if Partner.objects.partners().exists():
            call_command("migrate_schemas", tenant=True, interactive=False, verbosity=verbosity)
        template_schema_sync(verbosity=verbosity)
        self.stdout.write(self.style.SUCCESS("Hub, partners and template are migrated."))
