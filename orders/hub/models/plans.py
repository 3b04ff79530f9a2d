"""Plan runs: each solve of the allocation engine (`orders.planning`) that the hub
starts, kept with its inputs and its result."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PlanRun(models.Model):
    """One solve, kept with its inputs and its result so that an auditor can see
    months later why an order went where it did."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        NO_SOLUTION = "no_solution", _("No plan found")
        CANCELLED = "cancelled", _("Cancelled")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        PLAN = "plan", _("Plan")
        WHAT_IF = "what_if", _("What-if")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PLAN)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    base = models.ForeignKey(
        "self",
        verbose_name=_("compared with"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="what_ifs",
    )
    # What-if: {"plants_down": [{"plant": id, "start": iso, "end": iso}],
    #           "partners_suspended": [id]}
    scenario = models.JSONField(_("scenario"), default=dict, blank=True)
    time_limit = models.PositiveIntegerField(
        _("time limit (s)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(600)]
    )
    problem = models.JSONField(_("inputs"))  # orders.planning.jsonio.problem_to_json
    plan = models.JSONField(_("result"), null=True, blank=True)  # plan_to_json
    greedy = models.JSONField(_("greedy baseline"), null=True, blank=True)
    # Live progress, written by the task: {"elapsed": s, "objective": x, "best_bound": y, "gap": g}
    progress = models.JSONField(_("progress"), default=dict, blank=True)
    cancel_requested = models.BooleanField(_("cancel requested"), default=False)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("plan")
        verbose_name_plural = _("plans")

    def __str__(self):
        return _("Plan %(id)s") % {"id": self.pk}
