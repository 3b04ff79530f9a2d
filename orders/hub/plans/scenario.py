"""A what-if scenario: plants down for date ranges, partners suspended. Kept on the
run (`PlanRun.scenario`) as JSON."""

from __future__ import annotations

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    """What-if: plants down for date ranges, partners suspended."""

    plants_down: tuple[tuple[int, datetime.date, datetime.date], ...] = ()
    partners_suspended: tuple[int, ...] = ()

    def to_json(self) -> dict:
        return {
            "plants_down": [
                {"plant": p, "start": s.isoformat(), "end": e.isoformat()}
                for p, s, e in self.plants_down
            ],
            "partners_suspended": list(self.partners_suspended),
        }

    @classmethod
    def from_json(cls, data: dict | None) -> Scenario:
        data = data or {}
        return cls(
            plants_down=tuple(
                (
                    int(d["plant"]),
                    datetime.date.fromisoformat(d["start"]),
                    datetime.date.fromisoformat(d["end"]),
                )
                for d in data.get("plants_down", [])
            ),
            partners_suspended=tuple(int(p) for p in data.get("partners_suspended", [])),
        )

    def __bool__(self) -> bool:
        return bool(self.plants_down or self.partners_suspended)
