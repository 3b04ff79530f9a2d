"""What a capacity declaration amounts to, read the same way on both sides: the
partner's capacity page and the hub's plant inputs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

WORKING_DAYS_PER_WEEK = 5


def weekly_hours(work_centres: Iterable[dict]) -> list[tuple[str, float]]:
    """Effective hours per five-day week for each work-centre type of a declaration:
    count × hours per day × 5 × efficiency, summed over the type's centres."""
    totals: dict[str, float] = defaultdict(float)
    for wc in work_centres:
        totals[wc["type"]] += (
            float(wc["count"])
            * float(wc["hours_per_day"])
            * WORKING_DAYS_PER_WEEK
            * float(wc.get("efficiency", 1))
        )
    return sorted(totals.items())
