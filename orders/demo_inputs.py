"""Planning inputs for the demo network, for `manage.py seed_demo`: each active
plant's capacity declaration (published by its partner admin through the
partner-side service), the hub's cost model, hourly rates and freight lanes,
products' material costs and one approved-plant list.

Capacity is sized to the demo's order book, so that planning is interesting but
feasible: over the next eight weeks each plant can carry the accepted and
in-progress work it already holds, and the network's hours left beyond that are
about NEW_WORK_SLACK times what the undispatched demo orders need, for each
work-centre type (`demo_capacity_figures` gives the figures). Idempotent: a
plant that declares anything, or has a cost model, is left as it is.
"""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from django_tenants.utils import schema_context

from orders.declarations import weekly_hours
from tenants.models import Partner, Plant

from .hub.models import (
    Dispatch,
    NetworkOrder,
    PlantCapacity,
    PlantCost,
    Product,
    ProductRevision,
)
from .hub.plants import selectors as plant_selectors
from .hub.plants import services as plant_services
from .hub.products import services as product_services
from .partner.capacity import services as capacity
from .partner.models import WorkCentre

DEMO_PREFIX = "DEMO-"
DEMO_PARTNERS = ("acme", "borealis", "cobalt", "delta", "emerald", "fuji", "gaucho")
DECLARING = (Partner.Status.ACTIVE, Partner.Status.SUSPENDED)  # onboarding partners do not yet
WEEKS = 8
NEW_WORK_SLACK = Decimal("1.15")  # hours left for new work / hours the new work needs
MIN_HOURS_PER_DAY = 1.0  # a station used for a part of one shift


@dataclass(frozen=True)
class Profile:
    """How a plant works: hours per day of its shifts, its efficiency against
    standard times, and the products it makes (their routings give its work-centre
    types and capabilities; the demo dispatches those products there first)."""

    shift_hours: int
    efficiency: Decimal
    products: frozenset[str]


def _profile(hours: int, efficiency: str, products: str) -> Profile:
    return Profile(hours, Decimal(efficiency), frozenset(products.split()))


PROFILES = {
    "DET": _profile(16, "0.92", "BRK-100 FRM-400 VLV-620 ACT-840"),
    "MTY": _profile(16, "0.85", "ACT-840 PCB-510 MED-730"),
    "TRE": _profile(8, "0.95", "SHF-310 BRK-100 VLV-620"),
    "GOT": _profile(8, "0.90", "BRK-100 FRM-400"),
    "STR": _profile(16, "1.05", "HSG-220 SHF-310 VLV-620 ACT-840"),
    "PLZ": _profile(24, "0.88", "HSG-220 FRM-400"),
    "GYR": _profile(16, "0.90", "BRK-100 ACT-840 FRM-400"),
    "GWY": _profile(24, "0.95", "MED-730 PCB-510"),
    "PNQ": _profile(16, "0.80", "SHF-310 FRM-400"),
    "MAA": _profile(16, "0.85", "HSG-220 VLV-620 PCB-510 BRK-100"),
    "NGO": _profile(16, "0.98", "PCB-510"),  # Fuji is suspended: declared, not planned
}


# Export-controlled orders go only to ITAR-registered plants in the countries the hub
# allows (DMN_EXPORT_ALLOWED_COUNTRIES, by default the US): in the demo, Detroit.
EXPORT_PLANTS = ("DET",)


def plants_making(product_code: str) -> frozenset[str]:
    return frozenset(code for code, p in PROFILES.items() if product_code in p.products)


# (plant, first day and length as days after the coming Monday, reason)
DOWNTIME = [
    ("DET", 14, 3, "Annual maintenance of the press line"),
    ("PLZ", 28, 5, "Furnace relining"),
    ("GWY", 21, 2, "Cleanroom requalification"),
]

# The hub's negotiated rates: a rate level per country, scaled per work-centre type.
COUNTRY_RATE = {
    "US": 92,
    "DE": 88,
    "JP": 90,
    "SE": 82,
    "FI": 80,
    "IE": 78,
    "CZ": 46,
    "HU": 44,
    "MX": 40,
    "BR": 38,
    "IN": 27,
}
TYPE_FACTOR = {
    "smt": Decimal("1.45"),
    "moulding": Decimal("1.30"),
    "cnc_mill": Decimal("1.25"),
    "heat_treat": Decimal("1.20"),
    "cnc_lathe": Decimal("1.15"),
    "grinder": Decimal("1.10"),
    "reflow": Decimal("1.10"),
    "test": Decimal("1.05"),
    "aoi": Decimal("1.00"),
    "chemical": Decimal("1.00"),
    "weld": Decimal("1.00"),
    "inspection": Decimal("0.95"),
    "paint": Decimal("0.90"),
    "press": Decimal("0.90"),
    "assembly": Decimal("0.80"),
    "saw": Decimal("0.70"),
    "bench": Decimal("0.70"),
    "wash": Decimal("0.60"),
    "logistics": Decimal("0.60"),
}
# setup cost per order, material cost factor, freight per unit and km
COSTS = {
    "US": ("450", "1.000", "0.00060"),
    "MX": ("210", "0.970", "0.00050"),
    "FI": ("380", "1.030", "0.00065"),
    "SE": ("390", "1.040", "0.00065"),
    "DE": ("420", "1.020", "0.00055"),
    "CZ": ("230", "0.960", "0.00055"),
    "HU": ("220", "0.950", "0.00055"),
    "IE": ("360", "1.010", "0.00070"),
    "IN": ("150", "0.920", "0.00045"),
    "JP": ("480", "1.050", "0.00070"),
}
# Negotiated freight per unit, replacing the distance-based rate to these countries.
LANES = {
    "DET": {"US": "1.20", "CN": "3.90"},
    "MTY": {"US": "1.60", "BR": "2.70"},
    "STR": {"DE": "0.55", "FR": "0.85", "NL": "0.80"},
    "PLZ": {"DE": "0.70"},
    "GYR": {"DE": "0.95", "FR": "1.30"},
    "MAA": {"CN": "2.20"},
    "PNQ": {"CN": "2.60"},
    "GWY": {"NL": "1.40", "US": "2.90"},
}
MATERIAL_COST = {
    "BRK-100": "6.80",
    "HSG-220": "48.50",
    "SHF-310": "14.20",
    "FRM-400": "62.00",
    "PCB-510": "23.75",
    "VLV-620": "31.40",
    "MED-730": "0.45",
    "ACT-840": "185.00",
}
# A medical part only the cleanrooms the customer audited may make.
APPROVED_PLANTS = {"MED-730": ("GWY", "MTY")}


def _hours(operation, quantity: int) -> float:
    return (
        float(operation.setup_minutes) / 60 + float(operation.run_minutes_per_unit) * quantity / 60
    )


def _load(operations, quantity: int) -> dict[str, float]:
    load: dict[str, float] = defaultdict(float)
    for operation in operations:
        load[operation.work_centre_type] += _hours(operation, quantity)
    return load


@dataclass
class Loads:
    """Hours per work-centre type of the undispatched demo orders (`new`; those
    export-controlled apart, in `export`), and per plant of the accepted and
    in-progress demo work not yet shipped (`committed`)."""

    new: dict[str, float]
    export: dict[str, float]
    committed: dict[int, dict[str, float]]

    def totals(self, plant_ids) -> tuple[float, float]:
        """New work, and committed work at `plant_ids`, in hours."""
        committed = sum(sum(self.committed[p].values()) for p in plant_ids if p in self.committed)
        return sum(self.new.values()) + sum(self.export.values()), committed


def demo_loads() -> Loads:
    loads = Loads(defaultdict(float), defaultdict(float), defaultdict(lambda: defaultdict(float)))
    orders = (
        NetworkOrder.objects.filter(customer_reference__startswith=DEMO_PREFIX)
        .select_related("revision")
        .prefetch_related("revision__operations", "dispatches")
    )
    for order in orders:
        operations = list(order.revision.operations.all())
        live = [d for d in order.dispatches.all() if d.status != Dispatch.Status.REJECTED]
        remaining = order.quantity - sum(d.quantity for d in live)
        if remaining > 0:
            new = loads.export if order.export_controlled else loads.new
            for centre, hours in _load(operations, remaining).items():
                new[centre] += hours
        for dispatch in live:
            if dispatch.status in (Dispatch.Status.ACCEPTED, Dispatch.Status.IN_PROGRESS):
                open_quantity = dispatch.quantity - dispatch.shipped_quantity
                for centre, hours in _load(operations, open_quantity).items():
                    loads.committed[dispatch.plant_id][centre] += hours
    return loads


def _monday_after(day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=7 - day.weekday())


def _downtime(code: str, today: datetime.date) -> list[dict]:
    start = _monday_after(today)
    return [
        {
            "start": start + datetime.timedelta(days=offset),
            "end": start + datetime.timedelta(days=offset + days - 1),
            "reason": reason,
        }
        for plant, offset, days, reason in DOWNTIME
        if plant == code
    ]


def _working_days_lost(downtime: list[dict]) -> int:
    return sum(
        1
        for d in downtime
        for n in range((d["end"] - d["start"]).days + 1)
        if (d["start"] + datetime.timedelta(days=n)).weekday() < 5
    )


def _work_centre(centre: str, hours_per_week: float, profile: Profile) -> dict:
    """Machines of one type for `hours_per_week` effective hours: as many as the
    plant's shifts need, each working the hours that gives (in quarter hours)."""
    clock_per_day = hours_per_week / 5 / float(profile.efficiency)
    count = max(1, math.ceil(clock_per_day / profile.shift_hours))
    hours = max(MIN_HOURS_PER_DAY, math.ceil(clock_per_day / count * 4) / 4)
    return {
        "type": centre,
        "count": count,
        "hours_per_day": Decimal(str(hours)),
        "efficiency": profile.efficiency,
    }


def _routings() -> dict[str, list]:
    """The operations of each product's released revision, by product code."""
    revisions = ProductRevision.objects.filter(
        status=ProductRevision.Status.RELEASED, product__code__in=MATERIAL_COST
    ).prefetch_related("operations")
    return {r.product.code: list(r.operations.all()) for r in revisions.select_related("product")}


def declarations(plants: list[Plant], today: datetime.date) -> dict[int, dict]:
    """Each plant's work centres (the types of its products' routings and of the work
    it holds), capabilities (what those routings require) and downtime, sized to the
    order book."""
    loads = demo_loads()
    routings = _routings()
    types = {
        code: {op.work_centre_type for product in p.products for op in routings.get(product, [])}
        for code, p in PROFILES.items()
    }
    makers = defaultdict(int)  # active plants that take a share of new work of each type
    for code in {p.code for p in _demo_plants()}:
        for centre in types[code]:
            makers[centre] += 1
    result = {}
    for plant in plants:
        profile = PROFILES[plant.code]
        downtime = _downtime(plant.code, today)
        working_days = WEEKS * 5
        stretch = working_days / (working_days - _working_days_lost(downtime))
        work_centres = []
        for centre in sorted(types[plant.code] | set(loads.committed[plant.pk])):
            share = 0.0
            if centre in types[plant.code]:
                share = loads.new[centre] / max(makers[centre], 1)
            if plant.code in EXPORT_PLANTS:
                share += loads.export[centre] / len(EXPORT_PLANTS)
            committed = loads.committed[plant.pk].get(centre, 0.0)
            needed = (committed + share * float(NEW_WORK_SLACK)) * stretch
            work_centres.append(_work_centre(centre, needed / WEEKS, profile))
        capabilities = {
            op.required_capability
            for product in profile.products
            for op in routings.get(product, [])
            if op.required_capability
        }
        result[plant.pk] = {
            "work_centres": work_centres,
            "capabilities": sorted(capabilities),
            "downtime": downtime,
        }
    return result


def _demo_plants(*statuses: str) -> list[Plant]:
    """The demo's plants of partners in `statuses` (by default active ones)."""
    return list(
        Plant.objects.filter(
            partner__status__in=statuses or [Partner.Status.ACTIVE],
            partner__slug__in=DEMO_PARTNERS,
            code__in=PROFILES.keys(),
        ).select_related("partner")
    )


def _partner_admin(partner: Partner):
    return get_user_model().objects.get(username=f"{partner.slug}-admin")


def _declared(plant: Plant) -> bool:
    if PlantCapacity.objects.filter(plant=plant).exists():
        return True
    with schema_context(plant.partner.schema_name):
        return WorkCentre.objects.filter(plant_id=plant.pk).exists()


def seed_demo_planning_inputs(*, planner, today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    plants = [p for p in _demo_plants(*DECLARING) if not _declared(p)]
    if plants:
        for plant_id, declaration in declarations(plants, today).items():
            plant = next(p for p in plants if p.pk == plant_id)
            with schema_context(plant.partner.schema_name):
                capacity.capacity_declare(
                    partner=plant.partner,
                    plant_id=plant.pk,
                    user=_partner_admin(plant.partner),
                    **declaration,
                )
    for plant in _demo_plants(*DECLARING):
        if not PlantCost.objects.filter(plant=plant).exists():
            _costs(plant, planner)
    products = Product.objects.filter(code__in=MATERIAL_COST, material_cost_per_unit=0)
    codes = {p.code: p for p in _demo_plants()}
    for product in products:
        product_services.product_planning_set(
            product=product,
            material_cost_per_unit=Decimal(MATERIAL_COST[product.code]),
            approved_plants=[codes[c] for c in APPROVED_PLANTS.get(product.code, ()) if c in codes],
        )


def _costs(plant: Plant, planner) -> None:
    country = str(plant.country)
    setup, factor, per_km = COSTS.get(country, COSTS["US"])
    plant_services.plant_cost_set(
        plant=plant,
        setup_cost=Decimal(setup),
        material_cost_factor=Decimal(factor),
        freight_per_unit_km=Decimal(per_km),
        actor=planner,
    )
    declared = PlantCapacity.objects.filter(plant=plant).first()
    for centre in sorted({wc["type"] for wc in (declared.work_centres if declared else [])}):
        rate = COUNTRY_RATE.get(country, 60) * TYPE_FACTOR.get(centre, Decimal(1))
        plant_services.work_centre_rate_save(
            plant=plant,
            work_centre_type=centre,
            hourly_rate=rate.quantize(Decimal("0.01")),
            actor=planner,
        )
    for destination, per_unit in LANES.get(plant.code, {}).items():
        plant_services.freight_lane_save(
            plant=plant,
            destination_country=destination,
            freight_per_unit=Decimal(per_unit),
            actor=planner,
        )


def demo_capacity_figures(today: datetime.date | None = None) -> dict[str, float]:
    """Hours over the next eight weeks, network-wide: declared capacity (after
    planned downtime), committed work, new work, and the ratio of the hours left
    for new work to the hours it needs."""
    today = today or timezone.localdate()
    start = _monday_after(today)
    days = [start + datetime.timedelta(days=n) for n in range(WEEKS * 7)]
    total = 0.0
    for copy in PlantCapacity.objects.filter(plant__in=_demo_plants()):  # after downtime
        down = {
            day
            for d in plant_selectors.downtime_dates(copy.downtime)
            for day in days
            if d["start"] <= day <= d["end"]
        }
        working = sum(1 for day in days if day.weekday() < 5 and day not in down)
        total += sum(h for _t, h in weekly_hours(copy.work_centres)) * working / 5
    new_total, committed_total = demo_loads().totals({p.pk for p in _demo_plants()})
    return {
        "capacity": round(total),
        "committed": round(committed_total),
        "new": round(new_total),
        "ratio": round((total - committed_total) / new_total, 2) if new_total else 0.0,
    }
