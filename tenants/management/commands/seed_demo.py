from django.core.management.base import BaseCommand

from tenants.demo import DEMO_PASSWORD, seed_demo_network


class Command(BaseCommand):
    help = "Load the demo network (idempotent: running it again changes nothing)."

    def handle(self, *args, **options):
        partners = seed_demo_network()
        from django.contrib.auth import get_user_model

        from orders.demo import seed_demo_orders

        orders = seed_demo_orders(planner=get_user_model().objects.get(username="planner"))
        from quality.demo import seed_demo_quality

        inspections = seed_demo_quality()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo network ready: {len(partners)} partners, {orders} orders, "
                f"{inspections} inspected pieces; "
                f"demo password {DEMO_PASSWORD!r}."
            )
        )
