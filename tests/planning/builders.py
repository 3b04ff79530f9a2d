"""Small planning problems built by hand, for tests whose optimum is known."""

from __future__ import annotations

import datetime

from orders.planning.model import Operation, Order, Plant, Problem, WorkCentre

MONDAY = datetime.date(2026, 3, 2)
ONE_WEEK = (MONDAY,)
FOUR_WEEKS = tuple(MONDAY + datetime.timedelta(weeks=i) for i in range(4))
FRIDAY = MONDAY + datetime.timedelta(days=4)


def plant(ident: str, *, rate: float = 10.0, hours_per_day: float = 8.0, **fields) -> Plant:
    """A plant with one `mill` work centre (hours_per_day x 5 standard hours a week)."""
    fields.setdefault("country", "DE")
    fields.setdefault("work_centres", (WorkCentre("mill", 1, hours_per_day),))
    fields.setdefault("hourly_rates", {"mill": rate})
    return Plant(id=ident, name=f"Plant {ident}", latitude=50.0, longitude=8.0, **fields)


def order(ident: str, *, quantity: int = 10, run: float = 1.0, **fields) -> Order:
    """An order of `quantity` units, `run` hours each on a mill, due a week after
    the first Friday."""
    fields.setdefault("due_date", FRIDAY + datetime.timedelta(days=7))
    fields.setdefault("operations", (Operation("mill", 0.0, run),))
    return Order(id=ident, quantity=quantity, latitude=50.0, longitude=8.0, **fields)


def problem(plants, orders, *, periods=ONE_WEEK, **fields) -> Problem:
    return Problem(
        periods=periods, plants=tuple(plants), orders=tuple(orders), today=MONDAY, **fields
    )
