"""Plans on the hub: inputs built from hub tables, the solve in the background
task, cancel, review pages, approve (dispatch through the orders services) and
what-if against a base plan."""

import datetime
import os
import subprocess
import sys
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from orders.hub.models import (
    FreightLane,
    NetworkOrder,
    PlanRun,
    PlantCapacity,
    PlantCost,
    WorkCentreRate,
)
from orders.hub.orders import services as hub_services
from orders.hub.plans import services as plans
from orders.hub.plans.scenario import Scenario
from orders.hub.plans.selectors import plan_diff, run_new_work, run_plan
from orders.partner.models import WorkOrder
from orders.planning.jsonio import problem_from_json
from orders.vocabulary import PLAN_CANCELLED, PLAN_STARTED
from portal.models import AuditEntry
from tenants.models import Certification

from ..factories import CertificationFactory, PlantFactory

TYPES = ("saw", "cnc_mill", "bench")


def declare(plant, *, rate, hours_per_day=16, count=2):
    PlantCapacity.objects.create(
        plant=plant,
        work_centres=[
            {"type": t, "count": count, "hours_per_day": hours_per_day, "efficiency": 1.0}
            for t in TYPES
        ],
        capabilities=[],
        downtime=[],
        declared_at=timezone.now(),
        declared_by_label="test",
    )
    PlantCost.objects.create(
        plant=plant, setup_cost=Decimal("50"), freight_per_unit_km=Decimal("0.001")
    )
    for t in TYPES:
        WorkCentreRate.objects.create(plant=plant, work_centre_type=t, hourly_rate=rate)


@pytest.fixture
def network(world):
    """Two certified plants with capacity and costs: alpha's is cheap, beta's dear;
    a third plant (beta) has declared nothing and is left out."""
    cheap = PlantFactory(partner=world.alpha, code="CHEAP", country="DE")
    dear = PlantFactory(partner=world.beta, code="DEAR", country="US")
    PlantFactory(partner=world.beta, code="SILENT", country="US")
    for plant in (cheap, dear):
        CertificationFactory(
            partner=plant.partner, plant=plant, standard="iso9001", expires_in_days=400
        )
        declare(plant, rate=Decimal("40") if plant is cheap else Decimal("90"))
    FreightLane.objects.create(plant=dear, destination_country="FR", freight_per_unit=1)
    return {"cheap": cheap, "dear": dear}


def new_order(world, revision, *, quantity=20, days=30, **fields):
    return hub_services.order_create(
        actor=world.user("planner"),
        customer_reference="PLAN",
        revision=revision,
        quantity=quantity,
        due_date=timezone.localdate() + datetime.timedelta(days=days),
        ship_to_name="DC",
        ship_to_latitude=Decimal("48.1"),
        ship_to_longitude=Decimal("11.6"),
        **fields,
    )


@pytest.fixture
def queued(monkeypatch):
    """Runs queued after commit, recorded instead of sent to a broker."""
    sent = []
    monkeypatch.setattr(plans, "_queue", sent.append)
    return sent


def solved(run: PlanRun) -> PlanRun:
    return plans.plan_solve(run_id=run.pk, workers=1)


def start(world, numbers, django_capture_on_commit_callbacks, **kwargs) -> PlanRun:
    with django_capture_on_commit_callbacks(execute=True):
        return plans.plan_start(
            actor=world.user("planner"), order_numbers=numbers, time_limit=5, **kwargs
        )


def test_inputs_come_from_hub_tables_and_are_kept_with_the_run(
    world, network, revision, queued, django_capture_on_commit_callbacks
):
    order = new_order(world, revision)
    run = start(world, [order.number], django_capture_on_commit_callbacks)
    assert queued == [run.pk]  # the solve is queued only once the run is committed
    problem = problem_from_json(run.problem)
    assert {p.id for p in problem.plants} == {str(network["cheap"].pk), str(network["dear"].pk)}
    assert [o.id for o in problem.orders] == [order.number]
    assert problem.orders[0].quantity == 20
    assert any(
        "SILENT" in line or "no capacity declared" in line for line in run.scenario["left_out"]
    )
    assert AuditEntry.objects.filter(action=PLAN_STARTED).count() == 1


def test_solve_places_the_order_at_the_cheaper_plant_and_explains_it(
    world, network, revision, queued, django_capture_on_commit_callbacks
):
    order = new_order(world, revision)
    run = solved(start(world, [order.number], django_capture_on_commit_callbacks))
    assert run.status == PlanRun.Status.DONE
    plan = run_plan(run)
    (placement,) = plan.placements
    assert placement.plant_id == str(network["cheap"].pk) and placement.quantity == 20
    (explanation,) = plan.explanations
    assert explanation.runner_up_plant_id == str(network["dear"].pk)
    assert explanation.runner_up_extra_cost > 0
    assert run.greedy is not None and run.progress["objective"] == pytest.approx(plan.objective)


def test_committed_work_is_locked_where_it_is(
    world, network, revision, alpha_plant, queued, django_capture_on_commit_callbacks
):
    """An accepted dispatch at the dear plant stays there (locked) and uses its capacity."""
    from orders import services
    from orders.partner import services as partner_services

    first = new_order(world, revision)
    dispatch = services.order_dispatch(
        order=first, plant=network["dear"], quantity=20, actor=world.user("planner")
    )
    with schema_context(world.beta.schema_name):
        partner_services.work_order_accept(
            partner=world.beta,
            work_order=WorkOrder.objects.get(hub_dispatch_id=dispatch.pk),
            user=world.user("beta_admin"),
        )
    second = new_order(world, revision)
    run = solved(start(world, [second.number], django_capture_on_commit_callbacks))
    placed = {p.order_id: p.plant_id for p in run_plan(run).placements}
    assert placed[dispatch.work_order_number] == str(network["dear"].pk)
    assert placed[second.number] == str(network["cheap"].pk)
    assert run_new_work(run) == {second.number}


def test_export_controlled_orders_only_go_to_allowed_countries(
    world, network, revision, queued, django_capture_on_commit_callbacks, settings
):
    settings.DMN_EXPORT_ALLOWED_COUNTRIES = ["US"]
    CertificationFactory(
        partner=world.beta, plant=network["dear"], standard="itar", expires_in_days=400
    )
    secret = new_order(world, revision, export_controlled=True)
    run = solved(start(world, [secret.number], django_capture_on_commit_callbacks))
    plan = run_plan(run)
    assert [p.plant_id for p in plan.placements] == [str(network["dear"].pk)]
    excluded = {x.plant_id: x.reason for x in plan.explanations[0].excluded}
    assert excluded[str(network["cheap"].pk)] == "compliance"


def test_cancel_a_queued_run_at_once_and_a_running_one_keeps_its_best(
    world, network, revision, queued, django_capture_on_commit_callbacks
):
    order = new_order(world, revision)
    run = start(world, [order.number], django_capture_on_commit_callbacks)
    plans.plan_cancel(run=run, actor=world.user("planner"))
    run.refresh_from_db()
    assert run.status == PlanRun.Status.CANCELLED
    assert solved(run).status == PlanRun.Status.CANCELLED  # the worker leaves it alone
    with pytest.raises(ValidationError, match="nothing to cancel"):
        plans.plan_cancel(run=run, actor=world.user("planner"))

    # A run whose flag is set while it solves stops at the first look at the flag.
    running = start(world, [order.number], django_capture_on_commit_callbacks)
    PlanRun.objects.filter(pk=running.pk).update(cancel_requested=True)
    assert solved(running).status in (PlanRun.Status.CANCELLED, PlanRun.Status.NO_SOLUTION)
    assert AuditEntry.objects.filter(action=PLAN_CANCELLED).count() == 1


def test_approve_dispatches_into_the_partner_inbox_and_reports_refusals(
    world, network, revision, queued, django_capture_on_commit_callbacks
):
    one, two = new_order(world, revision), new_order(world, revision)
    run = solved(start(world, [one.number, two.number], django_capture_on_commit_callbacks))
    # Between planning and approval, the cheap plant's certificate is withdrawn.
    Certification.objects.filter(plant=network["cheap"]).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    result = plans.plan_approve(run=run, actor=world.user("planner"), order_ids=[one.number])
    assert result.dispatched == [] and result.refused[0][0] == one.number
    assert "expires" in result.refused[0][1]
    Certification.objects.filter(plant=network["cheap"]).update(
        expires_on=timezone.localdate() + datetime.timedelta(days=400)
    )
    result = plans.plan_approve(run=run, actor=world.user("planner"))
    assert sorted(d.order.number for d in result.dispatched) == sorted([one.number, two.number])
    with schema_context(world.alpha.schema_name):
        assert WorkOrder.objects.filter(order_number__in=[one.number, two.number]).count() == 2
    assert NetworkOrder.objects.get(pk=one.pk).status == NetworkOrder.Status.DISPATCHED
    run.refresh_from_db()
    assert run.approved_by == world.user("planner")


def test_what_if_moves_work_off_a_plant_that_goes_down(
    world, network, revision, queued, django_capture_on_commit_callbacks
):
    order = new_order(world, revision)
    base = solved(start(world, [order.number], django_capture_on_commit_callbacks))
    today = timezone.localdate()
    scenario = Scenario(
        plants_down=((network["cheap"].pk, today, today + datetime.timedelta(days=200)),)
    )
    with django_capture_on_commit_callbacks(execute=True):
        what_if = plans.what_if_start(base=base, actor=world.user("planner"), scenario=scenario)
    what_if = solved(what_if)
    assert what_if.kind == PlanRun.Kind.WHAT_IF and what_if.base == base
    (move,) = plan_diff(run_plan(base), run_plan(what_if))
    assert move.order_id == order.number
    assert (move.before, move.after) == (str(network["cheap"].pk), str(network["dear"].pk))
    assert move.cost_delta > 0
    with pytest.raises(ValidationError, match="what-if"):
        plans.plan_approve(run=what_if, actor=world.user("planner"))


def test_suspended_partner_in_a_what_if_takes_no_work(
    world, network, revision, queued, django_capture_on_commit_callbacks
):
    order = new_order(world, revision)
    base = solved(start(world, [order.number], django_capture_on_commit_callbacks))
    scenario = Scenario(partners_suspended=(world.alpha.pk,))
    with django_capture_on_commit_callbacks(execute=True):
        what_if = solved(
            plans.what_if_start(base=base, actor=world.user("planner"), scenario=scenario)
        )
    assert {p.plant_id for p in run_plan(what_if).placements} == {str(network["dear"].pk)}


def test_bad_starts_are_refused_with_a_message(world, network, revision, queued):
    order = new_order(world, revision)
    planner = world.user("planner")
    with pytest.raises(ValidationError, match="1 to 600"):
        plans.plan_start(actor=planner, order_numbers=[order.number], time_limit=0)
    with pytest.raises(ValidationError, match="nothing left to dispatch"):
        plans.plan_start(actor=planner, order_numbers=["NO-1999-99999"])
    with pytest.raises(ValidationError, match="at least one order"):
        plans.plan_start(actor=planner, order_numbers=[])
    assert not PlanRun.objects.exists()


# ---- pages ---------------------------------------------------------------------------


def test_planner_starts_a_plan_from_the_page_and_reviews_it(
    as_user, world, network, revision, queued, django_capture_on_commit_callbacks
):
    order = new_order(world, revision)
    client = as_user("planner", world.hub)
    page = client.get("/planning/new/").content.decode()
    assert order.number in page and "checked" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/planning/new/", {"orders": [order.number], "time_limit": 5, "unlock": ""}
        )
    run = PlanRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/planning/{run.pk}/"
    waiting = client.get(f"/planning/{run.pk}/").content.decode()
    assert "planning.js" in waiting and 'id="plan-progress"' in waiting
    assert client.get(f"/planning/{run.pk}/progress/").json()["status"] == "queued"
    solved(run)
    page = client.get(f"/planning/{run.pk}/").content.decode()
    assert "<svg" in page and "Runner-up" in page and "Approve and dispatch" in page
    assert client.get(f"/planning/{run.pk}/progress/").json()["finished"] is True
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/planning/{run.pk}/approve/", {"order": [order.number]})
    assert response.status_code == 302
    assert NetworkOrder.objects.get(pk=order.pk).status == NetworkOrder.Status.DISPATCHED


def test_bad_form_input_is_shown_and_nothing_queued(as_user, world, network, revision, queued):
    order = new_order(world, revision)
    client = as_user("planner", world.hub)
    response = client.post("/planning/new/", {"orders": [order.number], "time_limit": 0})
    assert response.status_code == 400
    assert "greater than or equal to 1" in response.content.decode()
    response = client.post("/planning/new/", {"time_limit": 5})
    assert response.status_code == 400
    assert "Choose at least one order" in response.content.decode()
    response = client.post("/planning/new/", {"orders": ["NO-1999-1"], "time_limit": 5})
    assert response.status_code == 400
    assert not PlanRun.objects.exists() and queued == []


def test_what_if_form_validates_and_shows_the_difference(
    as_user, world, network, revision, queued, django_capture_on_commit_callbacks
):
    order = new_order(world, revision)
    base = solved(start(world, [order.number], django_capture_on_commit_callbacks))
    client = as_user("planner", world.hub)
    response = client.post(f"/planning/{base.pk}/what-if/", {})
    assert response.status_code == 400
    assert "Mark a plant down or a partner suspended" in response.content.decode()
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/planning/{base.pk}/what-if/",
            {
                "plant": network["cheap"].pk,
                "start": today.isoformat(),
                "end": (today + datetime.timedelta(days=200)).isoformat(),
            },
        )
    what_if = PlanRun.objects.get(kind=PlanRun.Kind.WHAT_IF)
    assert response["Location"] == f"/planning/{what_if.pk}/"
    solved(what_if)
    page = client.get(f"/planning/{what_if.pk}/").content.decode()
    assert "What changes against the base plan" in page and order.number in page


def test_auditor_reads_plans_and_their_inputs_but_cannot_run_them(
    as_user, world, network, revision, queued, django_capture_on_commit_callbacks
):
    order = new_order(world, revision)
    run = solved(start(world, [order.number], django_capture_on_commit_callbacks))
    client = as_user("auditor", world.hub)
    assert client.get("/planning/").status_code == 200
    page = client.get(f"/planning/{run.pk}/").content.decode()
    assert "Approve and dispatch" not in page
    data = client.get(f"/planning/{run.pk}/inputs.json").json()
    assert data["problem"]["orders"][0]["id"] == order.number and data["plan"]["placements"]
    assert client.post(f"/planning/{run.pk}/approve/", {"order": [order.number]}).status_code == 403
    assert client.post(f"/planning/{run.pk}/cancel/").status_code == 403


def test_partner_users_and_anonymous_get_nothing(
    as_user, world, network, revision, queued, django_capture_on_commit_callbacks
):
    order = new_order(world, revision)
    run = solved(start(world, [order.number], django_capture_on_commit_callbacks))
    for path in (f"/planning/{run.pk}/", f"/planning/{run.pk}/inputs.json", "/planning/"):
        assert as_user("alpha_admin", world.hub).get(path).status_code == 403
        assert as_user(None, world.hub).get(path).status_code == 302
        # Planning lives on the hub only: a partner host has no such page.
        assert as_user("alpha_admin", world.alpha).get(path).status_code == 404


def test_plan_list_is_empty_at_first_and_says_so(as_user, world):
    page = as_user("planner", world.hub).get("/planning/").content.decode()
    assert "No plans yet" in page


def test_a_run_whose_worker_died_can_be_cancelled(world, network, revision, queued):
    order = new_order(world, revision)
    run = plans.plan_start(actor=world.user("planner"), order_numbers=[order.number], time_limit=5)
    PlanRun.objects.filter(pk=run.pk).update(
        status=PlanRun.Status.RUNNING,
        created_at=timezone.now() - datetime.timedelta(minutes=10),
    )
    run.refresh_from_db()
    plans.plan_cancel(run=run, actor=world.user("planner"))
    run.refresh_from_db()
    assert run.status == PlanRun.Status.CANCELLED and run.finished_at is not None


def test_a_run_without_a_plan_says_so_and_earlier_plans_stay(
    as_user, world, network, revision, queued, django_capture_on_commit_callbacks
):
    order = new_order(world, revision)
    earlier = solved(start(world, [order.number], django_capture_on_commit_callbacks))
    failed = start(world, [order.number], django_capture_on_commit_callbacks)
    PlanRun.objects.filter(pk=failed.pk).update(cancel_requested=True)  # stops before any plan
    failed = solved(failed)
    assert failed.status == PlanRun.Status.NO_SOLUTION and failed.plan["placements"] == []
    page = as_user("planner", world.hub).get(f"/planning/{failed.pk}/").content.decode()
    assert "No plan was found within 5 s" in page
    earlier.refresh_from_db()
    assert earlier.status == PlanRun.Status.DONE and earlier.plan is not None


def test_the_worker_knows_the_plan_run_task_by_its_name():
    """A worker imports its task modules at start-up; the plan-run task is among them,
    under the name that queued messages and worker routes use."""
    code = (
        "import django; django.setup()\n"
        "from portal.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print('orders.hub.tasks.plan_solve' in app.tasks)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "True", result.stdout + result.stderr
