"""The numbers both engines plan with, derived once from a Problem.

Everything that is the same for the solver, the greedy planner and the
explanations lives here, so that their objectives are comparable:

- capacity per (plant, work-centre type, week) in standard hours: a Capacity row
  if there is one, else count x hours/day x efficiency x working days (Mon-Fri)
  not covered by downtime; less the load of locked orders;
- the load of an order on each work-centre type: setup + run x quantity (standard
  hours, the same at every plant unless a PairOverride says otherwise);
- the cost of making q units of an order at a plant in a week, split into
  production (hours x rate / efficiency), setup, material, freight (a lane, else
  great-circle km x rate), lateness (days from the week's Friday to the due date
  x penalty x q) and move (units taken away from where the order is dispatched);
- which plants may make each order and, for the others, why not;
- the penalty for leaving an order that could be placed unplaced.

Arrays are indexed [order, plant, type, week] in the order of the Problem.
"""

from __future__ import annotations

import datetime
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

import numpy as np

from .model import (
    CAPABILITY,
    CAPACITY,
    CERTIFICATION_EXPIRED,
    CERTIFICATION_MISSING,
    COMPLIANCE,
    LOCKED,
    NOT_APPROVED,
    PLANT_UNAVAILABLE,
    CostBreakdown,
    Exclusion,
    Problem,
)

HOUR_SCALE = 10_000  # integer capacity and loads are in 1/10000 h
COST_SCALE = 100  # integer costs are in cents
EARTH_RADIUS_KM = 6371.0088
NO_EXPIRY = 10**9
MISSING = -1
EPS = 1e-9


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; numpy arrays broadcast."""
    lat1, lon1, lat2, lon2 = (
        np.radians(np.asarray(a, dtype=float)) for a in (lat1, lon1, lat2, lon2)
    )
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def working_days(start: datetime.date, down: list[tuple[datetime.date, datetime.date]]) -> int:
    """Mon-Fri days of the week starting `start` not covered by any downtime."""
    days = 0
    for offset in range(5):
        day = start + datetime.timedelta(days=offset)
        if not any(a <= day <= b for a, b in down):
            days += 1
    return days


def hours(value: float) -> str:
    return f"{value:,.1f} h"


def money(value: float) -> str:
    return f"{value:,.2f}"


@dataclass(frozen=True)
class LockedPart:
    order: int
    plant: int
    week: int
    quantity: int
    # Spread model: (week, percent of the part's load) from the first week; the
    # part is then reported in `week`, the first of them.
    weeks: tuple[tuple[int, int], ...] = ()


class Instance:
    def __init__(self, problem: Problem, *, spread_locked: bool = False):
        """`spread_locked`: locked orders' load is spread backwards from the due
        week over weeks with room (the spread model), not put in one week."""
        self.problem = problem
        self.spread_locked = spread_locked
        self.orders = problem.orders
        self.plants = problem.plants
        self.periods = problem.periods
        self.fridays = tuple(d + datetime.timedelta(days=4) for d in self.periods)
        self.n_orders, self.n_plants, self.n_weeks = (
            len(self.orders),
            len(self.plants),
            len(self.periods),
        )
        self.plant_index = {p.id: i for i, p in enumerate(self.plants)}
        self.order_index = {o.id: i for i, o in enumerate(self.orders)}
        # Weeks that can still be produced in: their Friday is not in the past.
        self.open_weeks = np.array([f >= problem.today for f in self.fridays], dtype=bool)
        self.notes: list[str] = []
        self._types()
        self._capacity()
        self._orders()
        self._costs()
        self._locked()
        self._eligibility()
        self._penalties()

    # --- work-centre types and capacity -------------------------------------------

    def _types(self):
        names = []
        for plant in self.plants:
            names += [wc.type for wc in plant.work_centres]
        names += [row.work_centre_type for row in self.problem.capacity]
        for order in self.orders:
            names += [op.work_centre_type for op in order.operations]
        names += [o.work_centre_type for o in self.problem.overrides if o.work_centre_type]
        self.types = list(dict.fromkeys(names))
        self.type_index = {t: i for i, t in enumerate(self.types)}
        self.n_types = len(self.types)

    def _capacity(self):
        P, T, W = self.n_plants, self.n_types, self.n_weeks
        week_of = {start: w for w, start in enumerate(self.periods)}
        down_all: dict[int, list] = defaultdict(list)
        down_what_if: dict[int, list] = defaultdict(list)
        for d in self.problem.downtime:
            p = self.plant_index[d.plant_id]
            down_all[p].append((d.start, d.end))
            if d.what_if:
                down_what_if[p].append((d.start, d.end))
        self.downtime = down_all

        daily = np.zeros((P, T))  # standard hours per working day, from work centres
        clock = np.zeros((P, T))  # clock hours per day, to average efficiency by
        for p, plant in enumerate(self.plants):
            for wc in plant.work_centres:
                t = self.type_index[wc.type]
                daily[p, t] += wc.count * wc.hours_per_day * wc.efficiency
                clock[p, t] += wc.count * wc.hours_per_day
        days = np.full((P, W), 5.0)
        for p, spans in down_all.items():
            for w, start in enumerate(self.periods):
                days[p, w] = working_days(start, spans)
        cap = daily[:, :, None] * days[:, None, :]
        self.has_type = (daily > 0) | (clock > 0)
        for row in self.problem.capacity:
            p, t = self.plant_index[row.plant_id], self.type_index[row.work_centre_type]
            w = week_of[row.period_start]
            share = 1.0
            if down_what_if.get(p):
                share = working_days(row.period_start, down_what_if[p]) / 5
            cap[p, t, w] = row.hours * share
            self.has_type[p, t] = True
        for p, plant in enumerate(self.plants):
            if not plant.available:
                cap[p] = 0.0
        cap[:, :, ~self.open_weeks] = 0.0
        self.cap = cap
        # Rate per standard hour: the rate per clock hour over the efficiency.
        efficiency = np.where(clock > 0, daily / np.where(clock > 0, clock, 1), 1.0)
        self.rate_std = np.zeros((P, T))
        for p, plant in enumerate(self.plants):
            for wc_type, rate in plant.hourly_rates.items():
                t = self.type_index.get(wc_type)
                if t is not None:
                    self.rate_std[p, t] = rate / efficiency[p, t]

    # --- orders -------------------------------------------------------------------

    def _orders(self):
        n, T, W = self.n_orders, self.n_types, self.n_weeks
        self.qty = np.array([o.quantity for o in self.orders], dtype=np.int64)
        self.setup_hours = np.zeros((n, T))
        self.run_hours = np.zeros((n, T))
        self.order_types: list[np.ndarray] = []
        for i, order in enumerate(self.orders):
            ts = []
            for op in order.operations:
                t = self.type_index[op.work_centre_type]
                self.setup_hours[i, t] += op.setup_hours
                self.run_hours[i, t] += op.run_hours_per_unit
                ts.append(t)
            self.order_types.append(np.array(sorted(set(ts)), dtype=np.int64))
        self.overrides: dict[tuple[int, int], tuple[float | None, int | None, float]] = {}
        for row in self.problem.overrides:
            o, p = self.order_index[row.order_id], self.plant_index[row.plant_id]
            t = None
            if row.load_hours is not None:
                name = row.work_centre_type or self.orders[o].operations[0].work_centre_type
                t = self.type_index[name]
            self.overrides[o, p] = (row.cost, t, row.load_hours or 0.0)
        self.override_plants: dict[int, list[int]] = defaultdict(list)
        for o, p in self.overrides:
            self.override_plants[o].append(p)

        due = np.array([o.due_date.toordinal() for o in self.orders], dtype=np.int64)
        fri = np.array([f.toordinal() for f in self.fridays], dtype=np.int64)
        self.late_days = np.maximum(0, fri[None, :] - due[:, None]) if n else np.zeros((0, W))
        penalty = np.array([o.lateness_penalty_per_day for o in self.orders], dtype=float)
        self.late_unit = penalty[:, None] * self.late_days  # per unit
        # The due week: the last open week whose Friday is on or before the due date.
        self.due_week = np.full(n, -1, dtype=np.int64)
        for i in range(n):
            ok = np.nonzero((self.late_days[i] == 0) & self.open_weeks)[0]
            if len(ok):
                self.due_week[i] = ok[-1]
        # A splittable order is made whole or in n equal parts (n up to max_parts,
        # parts of at least min_lot); its smallest possible largest part:
        self.split_parts = np.ones(n, dtype=np.int64)
        self.min_part = self.qty.copy()
        for i, order in enumerate(self.orders):
            if order.split is not None and not (order.locked and order.current):
                parts = min(order.split.max_parts, order.quantity // order.split.min_lot)
                if parts > 1:
                    self.split_parts[i] = parts
                    self.min_part[i] = -(-order.quantity // parts)

    def is_split(self, o: int) -> bool:
        return self.split_parts[o] > 1

    def load(self, o: int, p: int, q: float) -> np.ndarray:
        """Standard hours per type to make q units of order o at plant p."""
        override = self.overrides.get((o, p))
        if override is not None and override[1] is not None:
            vec = np.zeros(self.n_types)
            vec[override[1]] = override[2] * q / self.qty[o]
            return vec
        return self.setup_hours[o] + self.run_hours[o] * q

    def load_matrix(self, o: int, q: float) -> np.ndarray:
        """[plant, type] standard hours to make q units of order o at each plant."""
        base = self.setup_hours[o] + self.run_hours[o] * q
        out = np.broadcast_to(base, (self.n_plants, self.n_types))
        if o in self.override_plants:
            out = out.copy()
            for p in self.override_plants[o]:
                out[p] = self.load(o, p, q)
        return out

    def types_needed(self, o: int, p: int) -> np.ndarray:
        override = self.overrides.get((o, p))
        if override is not None and override[1] is not None:
            return np.array([override[1]], dtype=np.int64)
        return self.order_types[o]

    # --- costs --------------------------------------------------------------------

    def _costs(self):
        n, P = self.n_orders, self.n_plants
        plants, orders = self.plants, self.orders
        self.setup_cost = np.array([p.setup_cost for p in plants], dtype=float)
        self.prod_fixed = self.setup_hours @ self.rate_std.T  # [n, P]
        self.prod_unit = self.run_hours @ self.rate_std.T
        material = np.array([o.material_cost_per_unit for o in orders], dtype=float)
        factor = np.array([p.material_cost_factor for p in plants], dtype=float)
        self.material_unit = material[:, None] * factor[None, :]
        per_km = np.array([p.freight_per_unit_km for p in plants], dtype=float)
        km = haversine_km(
            np.array([o.latitude for o in orders], dtype=float)[:, None],
            np.array([o.longitude for o in orders], dtype=float)[:, None],
            np.array([p.latitude for p in plants], dtype=float)[None, :],
            np.array([p.longitude for p in plants], dtype=float)[None, :],
        )
        self.distance_km = np.broadcast_to(km, (n, P))
        freight = self.distance_km * per_km[None, :]
        lanes = self.problem.lanes
        if lanes:
            freight = freight.copy()
            default = {
                self.plant_index[ln.plant_id]: ln
                for ln in lanes
                if not ln.country and not ln.order_id
            }
            for p, ln in default.items():
                freight[:, p] = ln.freight_per_unit
            by_country = defaultdict(list)
            for ln in lanes:
                if ln.country and not ln.order_id:
                    by_country[ln.country].append(ln)
            for o, order in enumerate(orders):
                for ln in by_country.get(order.country, ()):
                    freight[o, self.plant_index[ln.plant_id]] = ln.freight_per_unit
            for ln in lanes:
                if ln.order_id:
                    freight[self.order_index[ln.order_id], self.plant_index[ln.plant_id]] = (
                        ln.freight_per_unit
                    )
        self.freight_unit = freight
        # Move: units taken from where the order is dispatched when all of it goes to p.
        self.current = [
            {self.plant_index[c.plant_id]: c.quantity for c in o.current} for o in orders
        ]
        self.move_rate = self.problem.move_penalty_per_unit
        # Whole-order cost without lateness, [n, P].
        q = self.qty.astype(float)[:, None]
        full = (
            self.prod_fixed
            + self.setup_cost[None, :]
            + (self.prod_unit + self.material_unit + self.freight_unit) * q
        )
        for (o, p), (cost, _t, _h) in self.overrides.items():
            if cost is not None:
                full[o, p] = cost
        if self.move_rate:
            for o, current in enumerate(self.current):
                if current:
                    total = sum(current.values())
                    full[o] += self.move_rate * total
                    for p, n in current.items():
                        full[o, p] -= self.move_rate * n
        self.full_cost = full

    def unit_cost(self, o: int, p: int) -> tuple[float, float]:
        """(fixed, per unit) cost of a part at plant p, without lateness and move."""
        override = self.overrides.get((o, p))
        if override is not None and override[0] is not None:
            return 0.0, override[0] / self.qty[o]
        fixed = self.prod_fixed[o, p] + self.setup_cost[p]
        return fixed, self.prod_unit[o, p] + self.material_unit[o, p] + self.freight_unit[o, p]

    def part_cost(self, o: int, p: int, w: int, q: int, move: float = 0.0) -> CostBreakdown:
        lateness = float(self.late_unit[o, w] * q)
        override = self.overrides.get((o, p))
        if override is not None and override[0] is not None:
            production = override[0] * q / self.qty[o]
            return CostBreakdown(production=production, lateness=lateness, move=move)
        return CostBreakdown(
            production=float(self.prod_fixed[o, p] + self.prod_unit[o, p] * q),
            setup=float(self.setup_cost[p]),
            material=float(self.material_unit[o, p] * q),
            freight=float(self.freight_unit[o, p] * q),
            lateness=lateness,
            move=move,
        )

    def part_cost_vector(self, o: int, plants: np.ndarray, q: int) -> np.ndarray:
        """Cost of q units of order o at each of `plants`, without lateness; the move
        cost is that of moving the whole order there, pro rata to q."""
        plants = np.asarray(plants, dtype=np.int64)
        cost = (
            self.prod_fixed[o, plants]
            + self.setup_cost[plants]
            + (
                self.prod_unit[o, plants]
                + self.material_unit[o, plants]
                + self.freight_unit[o, plants]
            )
            * q
        )
        for p in self.override_plants.get(o, ()):
            override_cost = self.overrides[o, p][0]
            if override_cost is not None:
                cost[plants == p] = override_cost * q / self.qty[o]
        if self.move_rate and self.current[o]:
            total = sum(self.current[o].values())
            here = np.array([self.current[o].get(int(p), 0) for p in plants], dtype=float)
            cost = cost + self.move_rate * (total - here) * q / self.qty[o]
        return cost

    def move_cost(self, o: int, placed: dict[int, int]) -> float:
        """Move cost of an order given the units placed at each plant."""
        if not self.move_rate:
            return 0.0
        moved = sum(max(0, n - placed.get(p, 0)) for p, n in self.current[o].items())
        return self.move_rate * moved

    # --- locked orders ------------------------------------------------------------

    def _locked(self):
        self.locked_parts: list[LockedPart] = []
        self.is_locked = np.zeros(self.n_orders, dtype=bool)
        locked_load = np.zeros_like(self.cap)
        open_idx = np.nonzero(self.open_weeks)[0]
        locked = [o for o, order in enumerate(self.orders) if order.locked and order.current]
        locked.sort(key=lambda o: (self.orders[o].due_date, self.orders[o].id))
        for o in locked:
            self.is_locked[o] = True
            # Its week: the latest week up to the due week where it fits (it is
            # already being made), else a later one, else the due week, overloaded.
            due = int(self.due_week[o])
            if due < 0:
                due = int(open_idx[0]) if len(open_idx) else self.n_weeks - 1
            order_weeks = [w for w in range(due, -1, -1) if self.open_weeks[w]]
            order_weeks += [w for w in range(due + 1, self.n_weeks) if self.open_weeks[w]]
            if self.spread_locked:
                self._lock_spread(o, order_weeks, due, locked_load)
                continue
            week = due
            for w in order_weeks:
                if all(
                    (self.cap[p, :, w] - locked_load[p, :, w] - self.load(o, p, n) >= -EPS).all()
                    for p, n in self.current[o].items()
                ):
                    week = w
                    break
            for p, n in self.current[o].items():
                self.locked_parts.append(LockedPart(o, p, week, n))
                locked_load[p, :, week] += self.load(o, p, n)
        self.locked_load = locked_load
        self._locked_notes(locked_load)

    def _lock_spread(self, o: int, order_weeks: list[int], due: int, locked_load) -> None:
        """A locked order in the spread model: at each plant where it is dispatched,
        whole percents of its load in the weeks of `order_weeks` (due week back,
        then later) while they have room; what is left goes to the due week."""
        for p, n in self.current[o].items():
            need = self.load(o, p, n)
            ts = np.nonzero(need > EPS)[0]
            left, weeks = 100, {}
            for w in order_weeks:
                if not left:
                    break
                if len(ts):
                    room = (self.cap[p, ts, w] - locked_load[p, ts, w]) / need[ts]
                    pct = min(left, int(math.floor(float(room.min()) * 100 + EPS)))
                else:
                    pct = left
                if pct > 0:
                    weeks[w] = pct
                    locked_load[p, :, w] += need * pct / 100
                    left -= pct
            if left:
                weeks[due] = weeks.get(due, 0) + left
                locked_load[p, :, due] += need * left / 100
            spread = tuple(sorted(weeks.items()))
            self.locked_parts.append(LockedPart(o, p, spread[0][0], n, spread))

    def _locked_notes(self, locked_load) -> None:
        free = self.cap - locked_load
        over = free < -EPS
        if over.any():
            for p, t, w in zip(*np.nonzero(over), strict=True):
                self.notes.append(
                    f"Locked orders overload {self.plants[p].name}'s {self.types[t]} in the "
                    f"week of {self.periods[w].isoformat()}: {hours(locked_load[p, t, w])} "
                    f"booked, {hours(self.cap[p, t, w])} available."
                )
        self.free = np.maximum(free, 0.0)
        self.free_int = np.floor(self.free * HOUR_SCALE + EPS).astype(np.int64)

    def load_int(self, loads: np.ndarray) -> np.ndarray:
        return np.ceil(np.asarray(loads) * HOUR_SCALE - 1e-6).astype(np.int64)

    # --- who may make what --------------------------------------------------------

    def _eligibility(self):
        P = self.n_plants
        plants, orders = self.plants, self.orders
        compliance = self.problem.compliance
        caps = sorted({op.capability for o in orders for op in o.operations if op.capability})
        certs = sorted(
            {op.certification for o in orders for op in o.operations if op.certification}
        )
        cap_index = {c: i for i, c in enumerate(caps)}
        cert_index = {c: i for i, c in enumerate(certs)}
        has_cap = np.zeros((P, len(caps)), dtype=bool)
        cert_expiry = np.full((P, len(certs)), MISSING, dtype=np.int64)
        for p, plant in enumerate(plants):
            for c in plant.capabilities:
                if c in cap_index:
                    has_cap[p, cap_index[c]] = True
            for cert in plant.certifications:
                s = cert_index.get(cert.standard)
                if s is not None:
                    expiry = NO_EXPIRY if cert.expires_on is None else cert.expires_on.toordinal()
                    cert_expiry[p, s] = max(cert_expiry[p, s], expiry)
        self._cert_expiry, self._cert_index = cert_expiry, cert_index
        country_ok = np.array(
            [p.country in compliance.export_allowed_countries for p in plants], dtype=bool
        )
        registered = np.array(
            [compliance.export_registration in p.export_registrations for p in plants], dtype=bool
        )
        usable = self.free.sum(axis=(1, 2)) > 0
        available = np.array([p.available for p in plants], dtype=bool) & usable

        self.eligible: list[np.ndarray] = []
        self.fit_weeks: list[dict[int, np.ndarray]] = []
        self.exclusions: list[dict[int, Exclusion]] = []
        self._messages: dict[tuple, Exclusion] = {}
        for o, order in enumerate(orders):
            reasons: dict[int, Exclusion] = {}
            if self.is_locked[o]:
                keep = np.zeros(P, dtype=bool)
                keep[list(self.current[o])] = True
                for p in np.nonzero(~keep)[0]:
                    reasons[p] = self._exclusion(o, p, LOCKED)
                self.eligible.append(np.nonzero(keep)[0])
                self.fit_weeks.append({})
                self.exclusions.append(reasons)
                continue
            ts = self.order_types[o]
            cap_need = [cap_index[op.capability] for op in order.operations if op.capability]
            cert_need = [
                cert_index[op.certification] for op in order.operations if op.certification
            ]
            conditions = [(PLANT_UNAVAILABLE, ~available)]
            if order.approved_plants is not None:
                approved = np.zeros(P, dtype=bool)
                approved[[self.plant_index[i] for i in order.approved_plants]] = True
                conditions.append((NOT_APPROVED, ~approved))
            if order.export_controlled:
                conditions.append((COMPLIANCE, ~(country_ok & registered)))
            capable = self.has_type[:, ts].all(axis=1) & has_cap[:, cap_need].all(axis=1)
            for p in self.override_plants.get(o, ()):
                capable[p] = self.has_type[p, self.types_needed(o, p)].all() and (
                    has_cap[p, cap_need].all()
                )
            conditions.append((CAPABILITY, ~capable))
            if cert_need:
                expiry = cert_expiry[:, cert_need]
                conditions.append((CERTIFICATION_MISSING, (expiry == MISSING).any(axis=1)))
                due = order.due_date.toordinal()
                conditions.append((CERTIFICATION_EXPIRED, (expiry < due).any(axis=1)))
            failed = np.zeros(P, dtype=bool)
            for reason, mask in conditions:
                new = mask & ~failed
                for p in np.nonzero(new)[0]:
                    reasons[p] = self._exclusion(o, p, reason)
                failed |= mask
            # Static capacity: the smallest part fits in no week, even with nothing else.
            candidates = np.nonzero(~failed)[0]
            loads = self.load_int(self.load_matrix(o, float(self.min_part[o])))[candidates]
            free = self.free_int[candidates]  # [c, T, W]
            # Zero loads on unused types against free hours >= 0: comparing all types
            # is comparing the needed ones.
            fits = (free >= loads[:, :, None]).all(axis=1)
            fits &= self.open_weeks[None, :]
            weeks = {}
            keep = []
            for i, p in enumerate(candidates):
                ws = np.nonzero(fits[i])[0]
                if len(ws):
                    weeks[int(p)] = ws
                    keep.append(p)
                else:
                    reasons[p] = self._capacity_exclusion(o, p)
            self.eligible.append(np.array(keep, dtype=np.int64))
            self.fit_weeks.append(weeks)
            self.exclusions.append(reasons)

    def _exclusion(self, o: int, p: int, reason: str) -> Exclusion:
        """The exclusion of plant p for order o, its message in plain English."""
        order, plant = self.orders[o], self.plants[p]
        name = plant.name or plant.id
        key: tuple
        if reason in (PLANT_UNAVAILABLE, NOT_APPROVED, COMPLIANCE, LOCKED):
            key = (p, reason)
        elif reason == CAPABILITY:
            missing = [self.types[t] for t in self.types_needed(o, p) if not self.has_type[p, t]]
            if not missing:
                missing = [
                    "capability " + op.capability
                    for op in order.operations
                    if op.capability and op.capability not in plant.capabilities
                ]
            else:
                missing = [f"work centre {m}" for m in missing]
            key = (p, reason, missing[0])
        else:  # certifications
            needed = [op.certification for op in order.operations if op.certification]
            due = order.due_date.toordinal()
            for standard in needed:
                expiry = self._cert_expiry[p, self._cert_index[standard]]
                if reason == CERTIFICATION_MISSING and expiry == MISSING:
                    key = (p, reason, standard)
                    break
                if reason == CERTIFICATION_EXPIRED and expiry != MISSING and expiry < due:
                    key = (p, reason, standard, expiry, due)
                    break
        cached = self._messages.get(key)
        if cached is not None:
            return cached
        compliance = self.problem.compliance
        if reason == PLANT_UNAVAILABLE:
            if not plant.available:
                message = f"{name} is marked unavailable."
            elif self.downtime.get(p):
                spans = ", ".join(
                    f"{a.isoformat()} to {b.isoformat()}" for a, b in self.downtime[p]
                )
                message = f"{name} is down ({spans}): no capacity left in the planning weeks."
            else:
                message = f"{name} has no capacity in the planning weeks."
        elif reason == LOCKED:
            message = f"The order is locked where it is dispatched, not at {name}."
        elif reason == NOT_APPROVED:
            message = f"{name} is not on the order's approved-plant list."
        elif reason == COMPLIANCE:
            allowed = ", ".join(sorted(compliance.export_allowed_countries)) or "none"
            if plant.country not in compliance.export_allowed_countries:
                message = (
                    f"Export-controlled order: {name} is in {plant.country or 'an unknown country'}"
                    f", not an allowed country ({allowed})."
                )
            else:
                message = (
                    f"Export-controlled order: {name} holds no "
                    f"{compliance.export_registration.upper()} registration."
                )
        elif reason == CAPABILITY:
            message = f"{name} has no {key[2]}."
        elif reason == CERTIFICATION_MISSING:
            message = f"{name} holds no {key[2]} certificate."
        else:
            expires = datetime.date.fromordinal(int(key[3])).isoformat()
            due_on = datetime.date.fromordinal(int(key[4])).isoformat()
            message = (
                f"{name}'s {key[2]} certificate expires on {expires}, before the due date {due_on}."
            )
        exclusion = Exclusion(plant.id, reason, message)
        self._messages[key] = exclusion
        return exclusion

    def _capacity_exclusion(self, o: int, p: int) -> Exclusion:
        """Plant p cannot take even the smallest part of order o in any week (one
        message per plant and type, shared by the orders it excludes)."""
        t, _need, best = self.shortfall(o, p)
        key = (p, CAPACITY, t, round(best, 1))
        cached = self._messages.get(key)
        if cached is None:
            plant = self.plants[p]
            cached = self._messages[key] = Exclusion(
                plant.id,
                CAPACITY,
                f"{plant.name or plant.id} has no week with room for this order: "
                f"{hours(best)} of {self.types[t]} in the week that comes closest.",
            )
        return cached

    def shortfall(self, o: int, p: int, free: np.ndarray | None = None):
        """Why order o's smallest part fits in no week at plant p: (type, hours
        needed, hours free) in the open week that comes closest, for the type that
        falls furthest short there. `free` [T, W] defaults to the plant's capacity
        after locked orders."""
        free = self.free[p] if free is None else free
        need = self.load(o, p, float(self.min_part[o]))
        ts = self.types_needed(o, p)
        weeks = np.nonzero(self.open_weeks)[0]
        if not len(ts) or not len(weeks):
            return 0, 0.0, 0.0
        deficit = need[ts][:, None] - free[np.ix_(ts, weeks)]  # [types, weeks]
        w = int(np.argmin(deficit.max(axis=0)))
        t = int(ts[int(np.argmax(deficit[:, w]))])
        return t, float(need[t]), float(max(free[t, weeks[w]], 0.0))

    # --- unplaced penalty ---------------------------------------------------------

    def _penalties(self):
        """An order that could be placed and is not costs twice its dearest placement
        plus 1,000, times 3, 2 or 1 for priority 1, 2 or 3 and up. Orders no plant
        can make carry no penalty: no plan can place them."""
        self.penalty = np.zeros(self.n_orders)
        last = np.nonzero(self.open_weeks)[0]
        for o, order in enumerate(self.orders):
            plants = self.eligible[o]
            if self.is_locked[o] or not len(plants):
                continue
            worst_late = self.late_unit[o, last].max() if len(last) else 0.0
            worst = self.full_cost[o, plants].max() + worst_late * self.qty[o]
            weight = max(1, 4 - order.priority)
            self.penalty[o] = weight * (2 * worst + 1000.0)

    # --- shared helpers for plans and messages ------------------------------------

    def week_order(self, o: int) -> list[int]:
        """Weeks as a planner tries them: the due week, then later, then earlier."""
        W = self.n_weeks
        d = int(self.due_week[o])
        if d < 0:
            return list(range(W))
        return list(range(d, W)) + list(range(d - 1, -1, -1))

    def nearest_week(self, weeks: np.ndarray, w: int) -> int:
        """The week in `weeks` nearest to w (the earlier one on a tie)."""
        return int(weeks[np.argmin(np.abs(weeks - w) * 2 + (weeks > w))])

    def reason_counts(self, exclusions) -> str:
        counts = Counter(e.reason for e in exclusions)
        labels = {
            PLANT_UNAVAILABLE: "unavailable",
            LOCKED: "not where it is locked",
            NOT_APPROVED: "not approved",
            COMPLIANCE: "not cleared for export control",
            CAPABILITY: "lacking a work centre or capability",
            CERTIFICATION_MISSING: "lacking a certificate",
            CERTIFICATION_EXPIRED: "with a certificate expiring before the due date",
            CAPACITY: "without room",
        }
        return ", ".join(f"{n} {labels[r]}" for r, n in counts.most_common())

    def cost_scaled(self, value: float) -> int:
        return int(math.floor(value * COST_SCALE + 0.5))
