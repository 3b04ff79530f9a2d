from django.core.management.base import BaseCommand

from tenants.demo import DEMO_PASSWORD, seed_demo_network


class Command(BaseCommand):
    help = "Load the demo network (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        partners = seed_demo_network()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {len(partners)} partners; demo password {DEMO_PASSWORD!r}."
            )
        )
