"""What the hub plans each plant with: its copy of the plant's capacity declaration,
and its own cost model, hourly rates and freight lanes."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from tenants.models import Plant


class PlantCapacity(models.Model):
    """The hub's copy of a plant's capacity declaration: the partner declares its
    work centres, capabilities and downtime on its own host, publishes them to the
    ledger (`orders.partner.capacity.services.capacity_publish`), and what the
    sharing agreement releases is projected here (`orders.hub.projectors`)."""

    plant = models.OneToOneField(
        Plant, verbose_name=_("plant"), on_delete=models.CASCADE, related_name="capacity"
    )
    # [{"type": "cnc_mill", "count": 3, "hours_per_day": 16, "efficiency": 0.85}, ...]
    work_centres = models.JSONField(_("work centres"), default=list, blank=True)
    capabilities = models.JSONField(_("capabilities"), default=list, blank=True)
    # [{"start": "2026-12-24", "end": "2027-01-01", "reason": "Holidays"}, ...]
    downtime = models.JSONField(_("planned downtime"), default=list, blank=True)
    declared_at = models.DateTimeField(_("declared"))
    declared_by_label = models.CharField(_("declared by"), max_length=254, blank=True)

    class Meta:
        verbose_name = _("plant capacity")
        verbose_name_plural = _("plant capacities")

    def __str__(self):
        return f"{self.plant} capacity"


class PlantCost(models.Model):
    """The hub's cost model of one plant (negotiated rates are hub data)."""

    plant = models.OneToOneField(
        Plant, verbose_name=_("plant"), on_delete=models.CASCADE, related_name="cost"
    )
    setup_cost = models.DecimalField(
        _("setup cost per order"),
        max_digits=12,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    material_cost_factor = models.DecimalField(
        _("material cost factor"),
        max_digits=5,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.1")), MaxValueValidator(10)],
        help_text=_("1.000: the product's standard material cost; 1.100: 10 % more."),
    )
    freight_per_unit_km = models.DecimalField(
        _("freight per unit and km"),
        max_digits=10,
        decimal_places=5,
        default=0,
        validators=[MinValueValidator(0)],
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("plant cost model")
        verbose_name_plural = _("plant cost models")

    def __str__(self):
        return f"{self.plant} costs"


class WorkCentreRate(models.Model):
    plant = models.ForeignKey(
        Plant, verbose_name=_("plant"), on_delete=models.CASCADE, related_name="hourly_rates"
    )
    work_centre_type = models.CharField(_("work-centre type"), max_length=40)
    hourly_rate = models.DecimalField(
        _("rate per hour"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["plant", "work_centre_type"]
        verbose_name = _("hourly rate")
        verbose_name_plural = _("hourly rates")
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "work_centre_type"], name="work_centre_rate_unique"
            )
        ]

    def __str__(self):
        return f"{self.plant.code} {self.work_centre_type}: {self.hourly_rate}"


class FreightLane(models.Model):
    """A negotiated freight rate from a plant to a destination country, which
    replaces the distance-based rate."""

    plant = models.ForeignKey(
        Plant, verbose_name=_("plant"), on_delete=models.CASCADE, related_name="freight_lanes"
    )
    destination_country = CountryField(_("destination country"))
    freight_per_unit = models.DecimalField(
        _("freight per unit"), max_digits=10, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        ordering = ["plant", "destination_country"]
        verbose_name = _("freight lane")
        verbose_name_plural = _("freight lanes")
        constraints = [
            models.UniqueConstraint(
                fields=["plant", "destination_country"], name="freight_lane_unique"
            )
        ]

    def __str__(self):
        return f"{self.plant.code} → {self.destination_country}"
