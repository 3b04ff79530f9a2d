"""The seeded synthetic networks the benchmark plans. No database."""

from __future__ import annotations

from collections import defaultdict

from orders.planning.instance import Instance
from orders.planning.synthetic import network


def test_same_seed_same_network_other_seed_other_network():
    assert network(40, 6, seed=4) == network(40, 6, seed=4)
    assert network(40, 6, seed=4) != network(40, 6, seed=5)


def test_network_is_varied_and_loaded_so_capacity_binds():
    problem = network(300, 30, seed=11)
    assert len(problem.periods) == 8
    assert all(d.weekday() == 0 for d in problem.periods)
    assert len({p.country for p in problem.plants}) >= 5
    assert any(p.export_registrations for p in problem.plants)
    horizon_end = problem.periods[-1]
    assert any(
        c.expires_on is not None and c.expires_on <= horizon_end
        for p in problem.plants
        for c in p.certifications
    )
    orders = problem.orders
    assert all(3 <= len(o.operations) <= 6 for o in orders)
    assert any(o.export_controlled for o in orders)
    assert any(o.approved_plants for o in orders)
    assert any(o.split for o in orders)
    assert len({o.due_date for o in orders}) > 30
    # Demand over capacity, per work-centre type, over the horizon: 75-90%.
    inst = Instance(problem)
    demand = defaultdict(float)
    for o in orders:
        for op in o.operations:
            demand[op.work_centre_type] += op.setup_hours + op.run_hours_per_unit * o.quantity
    capacity = inst.cap.sum(axis=(0, 2))
    for t, name in enumerate(inst.types):
        assert 0.7 <= demand[name] / capacity[t] <= 0.95, name
