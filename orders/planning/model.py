"""What the planning engine takes in and gives back: frozen dataclasses, no ORM.

Dates are `datetime.date`; money is in the network currency as float (the solver
scales to integer cents inside); hours are standard hours (a work centre's
`efficiency` turns its clock hours into standard hours of capacity, and a plant's
rate per clock hour into a rate per standard hour).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import KW_ONLY, dataclass, field
from types import MappingProxyType

date = datetime.date

# Exclusion reason codes, in the order they are checked (the first one that
# applies is the one reported for a plant).
PLANT_UNAVAILABLE = "plant_unavailable"
LOCKED = "locked"
NOT_APPROVED = "not_approved"
COMPLIANCE = "compliance"
CAPABILITY = "capability"
CERTIFICATION_MISSING = "certification_missing"
CERTIFICATION_EXPIRED = "certification_expired"
CAPACITY = "capacity"
REASONS = (
    PLANT_UNAVAILABLE,
    LOCKED,
    NOT_APPROVED,
    COMPLIANCE,
    CAPABILITY,
    CERTIFICATION_MISSING,
    CERTIFICATION_EXPIRED,
    CAPACITY,
)


class PlanningInputError(ValueError):
    """Input the engine cannot plan with: a list of (JSON path, message)."""

    def __init__(self, errors: list[tuple[str, str]]):
        self.errors = list(errors)
        super().__init__(str(self))

    def __str__(self) -> str:
        shown = "; ".join(f"{path}: {message}" for path, message in self.errors[:20])
        more = len(self.errors) - 20
        return shown + (f"; and {more} more" if more > 0 else "")


def _frozen_mapping(value: Mapping[str, float]) -> Mapping[str, float]:
    return MappingProxyType(dict(value))


# --- input ---------------------------------------------------------------------


@dataclass(frozen=True)
class Certification:
    standard: str
    expires_on: date | None = None  # None: no expiry


@dataclass(frozen=True)
class WorkCentre:
    type: str
    count: int
    hours_per_day: float
    efficiency: float = 1.0


@dataclass(frozen=True)
class Plant:
    id: str
    name: str
    country: str
    latitude: float
    longitude: float
    work_centres: tuple[WorkCentre, ...] = ()
    capabilities: frozenset[str] = frozenset()
    certifications: tuple[Certification, ...] = ()
    hourly_rates: Mapping[str, float] = field(default_factory=dict)  # type -> rate per hour
    setup_cost: float = 0.0  # per order, or per split part, placed here
    material_cost_factor: float = 1.0
    freight_per_unit_km: float = 0.0
    export_registrations: frozenset[str] = frozenset()  # e.g. {"itar"}
    available: bool = True

    def __post_init__(self):
        object.__setattr__(self, "hourly_rates", _frozen_mapping(self.hourly_rates))
        object.__setattr__(self, "capabilities", frozenset(self.capabilities))
        object.__setattr__(self, "export_registrations", frozenset(self.export_registrations))

    def __hash__(self):
        return hash(self.id)


@dataclass(frozen=True)
class Operation:
    work_centre_type: str
    setup_hours: float
    run_hours_per_unit: float
    capability: str = ""
    certification: str = ""


@dataclass(frozen=True)
class Split:
    """The order may be made in up to `max_parts` parts (distinct plant-weeks),
    each of at least `min_lot` units."""

    min_lot: int
    max_parts: int = 3


@dataclass(frozen=True)
class Current:
    """Where the order, or part of it, is already dispatched."""

    plant_id: str
    quantity: int


@dataclass(frozen=True)
class Order:
    id: str
    quantity: int
    due_date: date
    latitude: float
    longitude: float
    operations: tuple[Operation, ...] = ()
    material_cost_per_unit: float = 0.0
    lateness_penalty_per_day: float = 0.0  # per unit per day late
    priority: int = 2  # 1 is the most urgent
    export_controlled: bool = False
    approved_plants: frozenset[str] | None = None  # None: any plant
    split: Split | None = None
    current: tuple[Current, ...] = ()
    locked: bool = False  # locked and current: stays exactly where it is
    country: str = ""  # ship-to country, for freight lanes to a country

    def __post_init__(self):
        if self.approved_plants is not None:
            object.__setattr__(self, "approved_plants", frozenset(self.approved_plants))


@dataclass(frozen=True)
class Capacity:
    """Available standard hours in the week starting `period_start`, net of planned
    downtime and of committed work. Replaces the derived capacity of that cell."""

    plant_id: str
    work_centre_type: str
    period_start: date
    hours: float


@dataclass(frozen=True)
class Downtime:
    """The plant makes nothing from `start` to `end` (inclusive). It reduces the
    capacity derived from work centres; `what_if=True` also reduces Capacity rows
    (which are already net of planned downtime), for "what if this plant is down"."""

    plant_id: str
    start: date
    end: date
    what_if: bool = False


@dataclass(frozen=True)
class Lane:
    """Freight per unit from a plant to a destination country, or for one order,
    instead of the distance-based freight. A lane naming neither is the plant's
    default for every destination."""

    plant_id: str
    freight_per_unit: float
    country: str = ""
    order_id: str = ""


@dataclass(frozen=True)
class PairOverride:
    """An explicit cost (replacing production, setup, material and freight) and/or
    capacity load (hours on `work_centre_type`, default the order's first
    operation's type) for one order at one plant. Lateness and move cost still apply."""

    order_id: str
    plant_id: str
    cost: float | None = None
    load_hours: float | None = None
    work_centre_type: str = ""


@dataclass(frozen=True)
class Compliance:
    """Export-controlled orders go only to plants in these countries that hold
    this registration."""

    export_allowed_countries: frozenset[str] = frozenset()
    export_registration: str = "itar"

    def __post_init__(self):
        object.__setattr__(
            self, "export_allowed_countries", frozenset(self.export_allowed_countries)
        )


@dataclass(frozen=True)
class Problem:
    periods: tuple[date, ...]  # the Monday of each planning week, ascending
    plants: tuple[Plant, ...]
    orders: tuple[Order, ...]
    capacity: tuple[Capacity, ...] = ()
    downtime: tuple[Downtime, ...] = ()
    lanes: tuple[Lane, ...] = ()
    overrides: tuple[PairOverride, ...] = ()
    compliance: Compliance = Compliance(frozenset())
    move_penalty_per_unit: float = 0.0  # per unit moved away from `current`
    _: KW_ONLY
    today: date


# --- output --------------------------------------------------------------------


@dataclass(frozen=True)
class CostBreakdown:
    production: float = 0.0
    setup: float = 0.0
    material: float = 0.0
    freight: float = 0.0
    lateness: float = 0.0
    move: float = 0.0

    @property
    def total(self) -> float:
        return (
            self.production + self.setup + self.material + self.freight + self.lateness + self.move
        )

    def __add__(self, other: CostBreakdown) -> CostBreakdown:
        return CostBreakdown(
            production=self.production + other.production,
            setup=self.setup + other.setup,
            material=self.material + other.material,
            freight=self.freight + other.freight,
            lateness=self.lateness + other.lateness,
            move=self.move + other.move,
        )


@dataclass(frozen=True)
class Placement:
    order_id: str
    plant_id: str
    quantity: int
    period_start: date  # the production week (spread model: the first week with load)
    days_late: int  # from that week's Friday to the due date (spread: the last week's)
    cost: CostBreakdown
    # Spread model: (week, percent of the order's load made that week), ascending;
    # () when the placement is made in the one week `period_start`.
    weeks: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True)
class Exclusion:
    plant_id: str
    reason: str  # one of REASONS
    message: str


@dataclass(frozen=True)
class Explanation:
    order_id: str
    plant_id: str
    cost: CostBreakdown
    runner_up_plant_id: str | None
    runner_up_extra_cost: float | None
    excluded: tuple[Exclusion, ...]
    reason: str
    period_start: date | None = None  # the placement's week (split orders have several)


@dataclass(frozen=True)
class Unplaced:
    order_id: str
    reasons: tuple[Exclusion, ...]
    message: str


@dataclass(frozen=True)
class Load:
    plant_id: str
    work_centre_type: str
    period_start: date
    hours: float
    capacity: float


@dataclass(frozen=True)
class Progress:
    elapsed: float
    objective: float
    best_bound: float
    gap: float | None


@dataclass(frozen=True)
class Plan:
    status: str  # optimal | feasible | no_solution | cancelled | greedy
    engine: str  # cp-sat | greedy
    objective: float | None
    best_bound: float | None
    gap: float | None
    build_seconds: float
    solve_seconds: float
    placements: tuple[Placement, ...] = ()
    explanations: tuple[Explanation, ...] = ()
    unplaced: tuple[Unplaced, ...] = ()
    loads: tuple[Load, ...] = ()
    # What the reader should know about how the plan was made: pruning (then the
    # bound is the pruned model's), overloads from locked orders, penalties.
    notes: tuple[str, ...] = ()
    # Sum over unplaced orders that could have been placed of their penalty (the
    # objective is the placements' cost plus this).
    unplaced_penalty: float = 0.0
