"""The demo network, composed from every domain's own demo (each made through
that domain's services). This is composition-root code: it may know every app;
`tenants.demo` seeds only tenants' part."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from orders.demo import seed_demo_orders
from quality.demo import seed_demo_quality
from tenants.demo import DEMO_PASSWORD, seed_demo_network


class Command(BaseCommand):
    help = "Load the demo network (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        partners = seed_demo_network()
        orders = seed_demo_orders(planner=get_user_model().objects.get(username="planner"))
        inspections = seed_demo_quality()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {len(partners)} partners, {orders} orders, "
                f"{inspections} inspected pieces; "
                f"demo password {DEMO_PASSWORD!r}."
            )
        )
