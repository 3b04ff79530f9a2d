"""Rebuild every hub read model from the network ledger alone.

    manage.py ledger_rebuild             # empty the read models and replay the ledger
    manage.py ledger_rebuild --check     # the same in a transaction rolled back: compare
    manage.py ledger_rebuild --partner acme --partner borealis

`--check` exits 1 when a read model differs from what the ledger makes of it,
and prints the rows that differ.
"""

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from portal.ledger import ledger_rebuild, ledger_verify, projectors


class Command(BaseCommand):
    help = "Rebuild the hub's read models from the network ledger (--check: compare only)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Rebuild in a transaction that is rolled back and report differences.",
        )
        parser.add_argument(
            "--partner",
            action="append",
            metavar="SLUG",
            help="Only this partner's read models (repeatable).",
        )

    def handle(self, *args, check=False, partner=None, **options):
        partner_ids = None
        if partner:
            # The partner registry is looked up by name: the core imports no app.
            Partner = apps.get_model("tenants", "Partner")
            found = dict(Partner.objects.filter(slug__in=partner).values_list("slug", "pk"))
            missing = sorted(set(partner) - set(found))
            if missing:
                raise CommandError(f"No partner {', '.join(missing)}.")
            partner_ids = sorted(found.values())
        report = (ledger_verify if check else ledger_rebuild)(partner_ids=partner_ids)
        self.stdout.write(
            f"{report.events} ledger events replayed into "
            f"{len(projectors())} read models in {report.seconds:.2f} s"
        )
        for name, count in report.rows.items():
            self.stdout.write(f"  {name}: {count} rows")
        if not check:
            return
        if report.equal:
            self.stdout.write(self.style.SUCCESS("Every read model equals its rebuild."))
            return
        for name, (live, rebuilt) in report.differences.items():
            self.stdout.write(self.style.ERROR(f"{name} differs from its rebuild:"))
            for row in live[:20]:
                self.stdout.write(f"  live only:    {row}")
            for row in rebuilt[:20]:
                self.stdout.write(f"  rebuilt only: {row}")
        raise CommandError("The read models differ from the ledger.", returncode=1)
