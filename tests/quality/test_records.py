"""Inspections, NCRs, CAPA and the hub's use-as-is decisions: the services."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from portal.models import AuditEntry
from quality import services as hub_quality
from quality.hub.models import (
    CharacteristicCapability,
    NcrSummary,
    UseAsIsRequest,
    WorkOrderQuality,
)
from quality.partner.access import services as access_services
from quality.partner.first_article import selectors as fai_selectors
from quality.partner.first_article import services as fai_services
from quality.partner.inspections import services
from quality.partner.inspections.services import ImportedPiece, Reading
from quality.partner.models import (
    Capa,
    CapaStep,
    InspectionRecord,
    Measurement,
    NonConformance,
)
from quality.partner.ncrs import services as ncr_services
from tenants.sharing import services as sharing

from .conftest import make_inspected_revision

pytestmark = pytest.mark.django_db


def now():
    return timezone.now()


def record(q, world, *, bore="10.001", length="50.00", sample=1, piece=1, **kwargs):
    readings = {}
    if bore is not None:
        readings[q.bore.pk] = Reading(value=Decimal(bore))
    if length is not None:
        readings[q.length.pk] = Reading(value=Decimal(length))
    return services.inspection_record(
        partner=world.alpha,
        work_order=q.work_order(),
        operation=q.operation(20),
        sample=sample,
        piece=piece,
        instrument="Bore gauge BG-7",
        inspected_at=now(),
        readings=readings,
        user=world.user("alpha_quality"),
        **kwargs,
    )


# --- inspections ---------------------------------------------------------------------


def test_a_record_flags_the_out_of_tolerance_value_and_publishes_counts(world, inspected, in_alpha):
    good = record(inspected, world, bore="10.019")
    bad = record(inspected, world, bore="10.021", sample=2)
    assert good.conforming and not bad.conforming
    flags = dict(bad.measurements.values_list("name", "conforming"))
    assert flags == {"Bore diameter": False, "Length": True}
    # The measurement keeps the characteristic as it was measured against.
    m = bad.measurements.get(name="Bore diameter")
    assert (m.lower_limit, m.upper_limit, m.unit) == (Decimal("9.98"), Decimal("10.02"), "mm")
    summary = WorkOrderQuality.objects.get(
        partner=world.alpha, work_order_number=inspected.work_order_number
    )
    assert (summary.pieces_inspected, summary.pieces_conforming) == (2, 1)
    assert (summary.first_pass_inspected, summary.first_pass_conforming) == (2, 1)
    capability = CharacteristicCapability.objects.get(
        partner=world.alpha, characteristic_id=inspected.bore.pk
    )
    assert capability.sample_size == 2 and capability.name == "Bore diameter"


def test_a_piece_inspected_again_counts_once_for_first_pass_yield(world, inspected, in_alpha):
    record(inspected, world, bore="10.030", sample=1)
    record(inspected, world, bore="10.000", sample=1)  # reworked and measured again
    summary = WorkOrderQuality.objects.get(work_order_number=inspected.work_order_number)
    assert (summary.pieces_inspected, summary.pieces_conforming) == (2, 1)
    assert (summary.first_pass_inspected, summary.first_pass_conforming) == (1, 0)


def test_attribute_characteristics_take_pass_or_fail(world, inspected, in_alpha):
    wo = inspected.work_order()
    rec = services.inspection_record(
        partner=world.alpha,
        work_order=wo,
        operation=inspected.operation(30),
        sample=1,
        instrument="Eyes",
        inspected_at=now(),
        readings={inspected.visual.pk: Reading(passed=False)},
        user=world.user("alpha_quality"),
    )
    assert not rec.conforming
    assert rec.measurements.get().passed is False
    with pytest.raises(ValidationError, match="Visual: say pass or fail"):
        services.inspection_record(
            partner=world.alpha,
            work_order=wo,
            operation=inspected.operation(30),
            sample=2,
            instrument="Eyes",
            inspected_at=now(),
            readings={inspected.visual.pk: Reading()},
            user=world.user("alpha_quality"),
        )


@pytest.mark.parametrize(
    ("readings", "message"),
    [
        ({"bore": Reading(value=Decimal("NaN"))}, "must be a number"),
        ({"bore": Reading(value=Decimal("10.0"), unit="in")}, "measured in mm, not in"),
        ({"bore": Reading(value=None)}, "enter the measured value"),
        ({"bore": Reading(value=Decimal("1e9"))}, "out of range"),
        ({}, "at least one result"),
    ],
)
def test_bad_measurements_are_refused_and_nothing_is_written(
    world, inspected, in_alpha, readings, message
):
    given = {}
    if readings:
        given[inspected.bore.pk] = readings["bore"]
        given[inspected.length.pk] = Reading(value=Decimal("50"))
    with pytest.raises(ValidationError, match=message):
        services.inspection_record(
            partner=world.alpha,
            work_order=inspected.work_order(),
            operation=inspected.operation(20),
            sample=1,
            instrument="BG",
            inspected_at=now(),
            readings=given,
            user=world.user("alpha_quality"),
        )
    assert not InspectionRecord.objects.exists() and not Measurement.objects.exists()


def test_a_characteristic_of_another_revision_or_operation_is_refused(world, inspected):
    other = make_inspected_revision(revision="B", actor=world.user("planner"))
    foreign = other.operations.get(sequence=20).characteristics.get(name="Bore diameter")
    with schema_context("alpha"):
        with pytest.raises(
            ValidationError, match="is not one of operation 20 of QB-100 revision A"
        ):
            services.inspection_record(
                partner=world.alpha,
                work_order=inspected.work_order(),
                operation=inspected.operation(20),
                sample=1,
                instrument="BG",
                inspected_at=now(),
                readings={
                    foreign.pk: Reading(value=Decimal("10")),
                    inspected.length.pk: Reading(value=Decimal("50")),
                },
                user=world.user("alpha_quality"),
            )
        with pytest.raises(ValidationError, match="is not one of operation 30"):
            services.inspection_record(
                partner=world.alpha,
                work_order=inspected.work_order(),
                operation=inspected.operation(30),
                sample=1,
                instrument="BG",
                inspected_at=now(),
                readings={inspected.bore.pk: Reading(value=Decimal("10"))},
                user=world.user("alpha_quality"),
            )
        assert not InspectionRecord.objects.exists()


def test_the_form_needs_every_characteristic_of_the_operation(world, inspected, in_alpha):
    with pytest.raises(ValidationError, match="Results missing for: Length"):
        record(inspected, world, length=None)


def test_an_import_is_all_or_nothing_with_line_numbers(world, inspected, in_alpha):
    def piece(line, bore, sample=1, sequence=20):
        return ImportedPiece(
            line=line,
            sequence=sequence,
            sample=sample,
            piece=line,
            serial="",
            instrument="CMM Zeiss",
            inspected_at=now(),
            readings={inspected.bore.pk: Reading(value=Decimal(bore), unit="mm")},
        )

    with pytest.raises(ValidationError) as caught:
        services.inspections_import(
            partner=world.alpha,
            work_order=inspected.work_order(),
            pieces=[piece(2, "10.0"), piece(3, "NaN"), piece(4, "10.0", sequence=99)],
            user=world.user("alpha_quality"),
        )
    assert caught.value.messages == [
        "Line 3: Bore diameter: the value must be a number.",
        "Line 4: QB-100-… has no operation 99.".replace("QB-100-…", inspected.work_order_number),
    ]
    assert not InspectionRecord.objects.exists()
    records = services.inspections_import(
        partner=world.alpha,
        work_order=inspected.work_order(),
        pieces=[piece(2, "10.0"), piece(3, "10.03")],
        user=world.user("alpha_quality"),
    )
    assert [r.conforming for r in records] == [True, False]
    assert {r.source for r in records} == {"csv"}


def test_inspection_before_accept_is_refused(world, inspected, in_alpha):
    wo = inspected.work_order()
    wo.status = "dispatched"
    wo.save(update_fields=["status"])
    with pytest.raises(ValidationError, match="inspect it once it is accepted"):
        record(inspected, world)


# --- first article ----------------------------------------------------------------------


def test_first_article_measures_every_characteristic_of_the_revision(world, inspected, in_alpha):
    wo = inspected.work_order()
    assert fai_selectors.first_article_needed(wo)
    all_but_visual = {
        inspected.bore.pk: Reading(value=Decimal("10.0")),
        inspected.length.pk: Reading(value=Decimal("50.0")),
    }
    with pytest.raises(ValidationError, match="missing: Visual"):
        fai_services.first_article_record(
            partner=world.alpha,
            work_order=wo,
            serial="SN-1",
            instrument="CMM",
            inspected_at=now(),
            readings=all_but_visual,
            user=world.user("alpha_quality"),
        )
    failed = fai_services.first_article_record(
        partner=world.alpha,
        work_order=wo,
        serial="SN-1",
        instrument="CMM",
        inspected_at=now(),
        readings={**all_but_visual, inspected.visual.pk: Reading(passed=False)},
        user=world.user("alpha_quality"),
    )
    assert failed.status == "failed" and failed.records.count() == 2
    passed = fai_services.first_article_record(
        partner=world.alpha,
        work_order=wo,
        serial="SN-2",
        instrument="CMM",
        inspected_at=now(),
        readings={**all_but_visual, inspected.visual.pk: Reading(passed=True)},
        user=world.user("alpha_quality"),
    )
    assert passed.pk == failed.pk and passed.status == "passed" and passed.serial == "SN-2"
    assert passed.records.count() == 4
    with pytest.raises(ValidationError, match="already passed"):
        fai_services.first_article_record(
            partner=world.alpha,
            work_order=wo,
            serial="SN-3",
            instrument="CMM",
            inspected_at=now(),
            readings={**all_but_visual, inspected.visual.pk: Reading(passed=True)},
            user=world.user("alpha_quality"),
        )
    # First-article pieces do not enter the process capability.
    assert not CharacteristicCapability.objects.filter(sample_size__gt=0).exists()


# --- NCR and CAPA --------------------------------------------------------------------------


def raise_ncr(q, world, **kwargs):
    fields = {
        "work_order": q.work_order(),
        "user": world.user("alpha_quality"),
        "defect_code": "dimensional",
        "quantity": 3,
        "description": "Bore oversize on 3 parts",
        "lot": "L-7",
    }
    fields.update(kwargs)
    return ncr_services.ncr_raise(partner=world.alpha, **fields)


def test_ncrs_are_numbered_and_published_without_their_description(world, inspected, in_alpha):
    bad = record(inspected, world, bore="10.03")
    measurement = bad.measurements.get(name="Bore diameter")
    first = raise_ncr(inspected, world, measurement=measurement)
    second = raise_ncr(inspected, world)
    assert (first.number, second.number) == ("NCR-00001", "NCR-00002")
    assert first.operation.sequence == 20  # taken from the measurement
    summary = NcrSummary.objects.get(partner=world.alpha, number="NCR-00001")
    assert summary.status == "open" and summary.quantity == 3
    assert not hasattr(summary, "description")


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"quantity": 0}, "At least one unit"),
        ({"quantity": 51}, "is for 50 units"),
        ({"description": "  "}, "Describe the non-conformance"),
        ({"defect_code": "gremlins"}, "Choose a defect code"),
    ],
)
def test_bad_ncrs_are_refused(world, inspected, in_alpha, fields, message):
    with pytest.raises(ValidationError, match=message):
        raise_ncr(inspected, world, **fields)
    assert not NonConformance.objects.exists()


def test_rework_then_close(world, inspected, in_alpha):
    ncr = raise_ncr(inspected, world)
    with pytest.raises(ValidationError, match="close.*once it is dispositioned"):
        ncr_services.ncr_close(partner=world.alpha, ncr=ncr, user=world.user("alpha_quality"))
    ncr = ncr_services.ncr_disposition_set(
        partner=world.alpha,
        ncr=ncr,
        disposition="rework",
        note="Re-bore",
        user=world.user("alpha_quality"),
    )
    assert ncr.status == "dispositioned" and not UseAsIsRequest.objects.exists()
    with pytest.raises(ValidationError, match="only an open NCR takes a disposition"):
        ncr_services.ncr_disposition_set(
            partner=world.alpha,
            ncr=ncr,
            disposition="scrap",
            note="",
            user=world.user("alpha_quality"),
        )
    ncr = ncr_services.ncr_close(partner=world.alpha, ncr=ncr, user=world.user("alpha_quality"))
    assert ncr.status == "closed" and ncr.closed_at
    assert NcrSummary.objects.get(number=ncr.number).closed_at == ncr.closed_at


def test_use_as_is_waits_for_the_hub_and_the_decision_reaches_the_ncr(world, inspected):
    with schema_context("alpha"):
        ncr = raise_ncr(inspected, world)
        with pytest.raises(ValidationError, match="Say why the parts can be used"):
            ncr_services.ncr_disposition_set(
                partner=world.alpha,
                ncr=ncr,
                disposition="use_as_is",
                note="",
                user=world.user("alpha_quality"),
            )
        ncr = ncr_services.ncr_disposition_set(
            partner=world.alpha,
            ncr=ncr,
            disposition="use_as_is",
            note="",
            justification="Bore is 0.01 over; the mating pin has clearance",
            user=world.user("alpha_quality"),
        )
        assert ncr.status == "awaiting_approval" and ncr.approval == "pending"
    request = UseAsIsRequest.objects.get(partner=world.alpha, ncr_number=ncr.number)
    assert request.status == "pending" and "mating pin" in request.justification
    engineer = world.user("qe")
    with pytest.raises(ValidationError, match="Say why the parts cannot be used"):
        hub_quality.use_as_is_decide(use_as_is=request, approve=False, note="", actor=engineer)
    hub_quality.use_as_is_decide(use_as_is=request, approve=True, note="OK", actor=engineer)
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == engineer
    with schema_context("alpha"):
        ncr.refresh_from_db()
        assert (ncr.status, ncr.approval, ncr.approval_by_label) == (
            "dispositioned",
            "approved",
            engineer.username,
        )
    actions = list(
        AuditEntry.objects.filter(partner=world.alpha, actor=engineer).values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["quality.use_as_is_decided", "schema.entered"]
    with pytest.raises(ValidationError, match="already approved"):
        hub_quality.use_as_is_decide(use_as_is=request, approve=True, note="", actor=engineer)


def test_a_rejected_use_as_is_reopens_the_ncr(world, inspected):
    with schema_context("alpha"):
        ncr = raise_ncr(inspected, world)
        ncr_services.ncr_disposition_set(
            partner=world.alpha,
            ncr=ncr,
            disposition="use_as_is",
            note="",
            justification="Cosmetic only",
            user=world.user("alpha_quality"),
        )
    request = UseAsIsRequest.objects.get(ncr_number=ncr.number)
    hub_quality.use_as_is_decide(
        use_as_is=request,
        approve=False,
        note="Customer refuses",
        actor=world.user("qe"),
    )
    with schema_context("alpha"):
        ncr.refresh_from_db()
        assert (ncr.status, ncr.approval, ncr.approval_note) == (
            "open",
            "rejected",
            "Customer refuses",
        )
        ncr = ncr_services.ncr_disposition_set(
            partner=world.alpha,
            ncr=ncr,
            disposition="scrap",
            note="",
            user=world.user("alpha_quality"),
        )
        assert ncr.status == "dispositioned"


def capa_for(ncr, world, start=None):
    start = start or timezone.localdate()
    return ncr_services.capa_open(
        ncr=ncr,
        user=world.user("alpha_quality"),
        owners={s.value: f"Owner {s.value}" for s in CapaStep.Step},
        due_dates={s.value: start + datetime.timedelta(days=s.value) for s in CapaStep.Step},
    )


def test_capa_steps_complete_in_order_and_d8_closes_it(world, inspected, in_alpha):
    ncr = raise_ncr(inspected, world)
    capa = capa_for(ncr, world)
    steps = list(capa.steps.order_by("step"))
    assert [s.step for s in steps] == list(range(1, 9))
    with pytest.raises(ValidationError, match="Complete D1 Team, D2 Problem description first"):
        ncr_services.capa_step_complete(
            step=steps[2], notes="Quarantined", user=world.user("alpha_quality")
        )
    with pytest.raises(ValidationError, match="Say what was done"):
        ncr_services.capa_step_complete(step=steps[0], notes=" ", user=world.user("alpha_quality"))
    ncr_services.ncr_disposition_set(
        partner=world.alpha,
        ncr=ncr,
        disposition="rework",
        note="",
        user=world.user("alpha_quality"),
    )
    for step in steps[:7]:
        ncr_services.capa_step_complete(step=step, notes="Done", user=world.user("alpha_quality"))
    with pytest.raises(ValidationError, match="Close the CAPA of NCR-00001 first"):
        ncr_services.ncr_close(partner=world.alpha, ncr=ncr, user=world.user("alpha_quality"))
    ncr_services.capa_step_complete(step=steps[7], notes="Closed", user=world.user("alpha_quality"))
    assert Capa.objects.get(pk=capa.pk).closed_at is not None
    assert (
        ncr_services.ncr_close(
            partner=world.alpha, ncr=ncr, user=world.user("alpha_quality")
        ).status
        == "closed"
    )


def test_capa_needs_owners_and_due_dates_in_order(world, inspected, in_alpha):
    ncr = raise_ncr(inspected, world)
    today = timezone.localdate()
    with pytest.raises(ValidationError) as caught:
        ncr_services.capa_open(
            ncr=ncr,
            user=world.user("alpha_quality"),
            owners={1: "Ann"},
            due_dates={1: today},
        )
    assert "Name an owner for D2 Problem description." in caught.value.messages
    with pytest.raises(ValidationError, match="on or after the one before"):
        ncr_services.capa_open(
            ncr=ncr,
            user=world.user("alpha_quality"),
            owners={s.value: "Ann" for s in CapaStep.Step},
            due_dates={s.value: today - datetime.timedelta(days=s.value) for s in CapaStep.Step},
        )
    assert not Capa.objects.exists()
    capa_for(ncr, world)
    with pytest.raises(ValidationError, match="already has a CAPA"):
        capa_for(ncr, world)


# --- what the hub sees follows the sharing agreement ---------------------------------------


def test_without_the_quality_summary_release_nothing_reaches_the_hub(world, inspected, in_alpha):
    record(inspected, world)
    raise_ncr(inspected, world)
    assert WorkOrderQuality.objects.filter(partner=world.alpha).exists()
    sharing.agreement_set(partner=world.alpha, releases=[], actor=world.user("alpha_admin"))
    # Withdrawing the release deletes the hub's copies...
    assert not WorkOrderQuality.objects.filter(partner=world.alpha).exists()
    assert not NcrSummary.objects.filter(partner=world.alpha).exists()
    assert not CharacteristicCapability.objects.filter(partner=world.alpha).exists()
    # ...and nothing new is published.
    record(inspected, world, sample=2)
    raise_ncr(inspected, world)
    assert not WorkOrderQuality.objects.filter(partner=world.alpha).exists()
    assert not NcrSummary.objects.filter(partner=world.alpha).exists()
    # Released again: the whole summary is published again.
    sharing.agreement_set(
        partner=world.alpha, releases=["quality_summary"], actor=world.user("alpha_admin")
    )
    assert WorkOrderQuality.objects.get(partner=world.alpha).pieces_inspected == 2
    assert NcrSummary.objects.filter(partner=world.alpha).count() == 2


def test_a_failed_write_publishes_nothing(world, inspected, in_alpha):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        raise_ncr(inspected, world)
        raise RuntimeError("the request failed after the NCR")
    assert not NcrSummary.objects.exists() and not NonConformance.objects.exists()


# --- time-boxed access for a hub user -------------------------------------------------------


def test_measurement_access_runs_until_it_expires_or_is_revoked(world, in_alpha):
    from quality.partner.access import selectors

    auditor = world.user("auditor")
    admin = world.user("alpha_admin")
    assert selectors.measurement_access_active(user=auditor) is None
    with pytest.raises(ValidationError, match="end in the future"):
        access_services.measurement_access_grant(
            partner=world.alpha, hub_user=auditor, expires_at=now(), reason="Audit", actor=admin
        )
    with pytest.raises(ValidationError, match="at most 90 days"):
        access_services.measurement_access_grant(
            partner=world.alpha,
            hub_user=auditor,
            expires_at=now() + datetime.timedelta(days=91),
            reason="Audit",
            actor=admin,
        )
    grant = access_services.measurement_access_grant(
        partner=world.alpha,
        hub_user=auditor,
        expires_at=now() + datetime.timedelta(days=2),
        reason="Audit",
        actor=admin,
    )
    assert selectors.measurement_access_active(user=auditor) == grant
    assert selectors.measurement_access_active(user=world.user("planner")) is None
    grant.expires_at = now() - datetime.timedelta(seconds=1)
    grant.save(update_fields=["expires_at"])
    assert selectors.measurement_access_active(user=auditor) is None
    grant.expires_at = now() + datetime.timedelta(days=1)
    grant.save(update_fields=["expires_at"])
    access_services.measurement_access_revoke(
        partner=world.alpha, grant=grant, hub_user=auditor, actor=admin
    )
    assert selectors.measurement_access_active(user=auditor) is None
    actions = list(
        AuditEntry.objects.filter(object_type="quality_partner.MeasurementAccess").values_list(
            "action", flat=True
        )
    )
    assert sorted(actions) == ["permission.granted", "permission.revoked"]


def test_control_charts_can_leave_out_orders_a_user_is_not_cleared_for(world, inspected, in_alpha):
    from quality.publish import capability_of

    for sample in (1, 2, 3):
        record(inspected, world, bore=f"10.00{sample}", sample=sample)
    order_number = inspected.work_order().order_number
    assert capability_of(inspected.bore.pk).n_values == 3
    assert capability_of(inspected.bore.pk, hidden_orders=[order_number]) is None


def test_limits_that_admit_no_spread_give_no_chart_rather_than_an_error(world, inspected, in_alpha):
    from quality.publish import capabilities_of

    for sample in (1, 2, 3):
        record(inspected, world, bore=f"10.00{sample}", sample=sample)
    Measurement.objects.filter(characteristic_id=inspected.bore.pk).update(
        lower_limit=Decimal("10"), upper_limit=Decimal("10")
    )
    results = capabilities_of([inspected.bore.pk, inspected.length.pk])
    assert results[inspected.bore.pk] is None
    assert results[inspected.length.pk].n_values == 3
