"""factory_boy factories for the hub's registry. Partners are not made by a
factory: they need a schema, so tests provision them with the real service."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from tenants.models import Certification, Membership, Plant

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")

    @factory.post_generation
    def password(self, create, extracted, **kwargs):
        self.set_password(extracted or PASSWORD)
        if create:
            self.save(update_fields=["password"])


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = "operator"


class PlantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plant

    code = factory.Sequence(lambda n: f"P{n:03d}")
    name = factory.LazyAttribute(lambda p: f"Plant {p.code}")
    city = "Munich"
    country = "DE"
    latitude = 48.137
    longitude = 11.575
    timezone = "Europe/Berlin"


class CertificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Certification

    class Params:
        expires_in_days = 365

    standard = "iso9001"
    certificate_number = factory.Sequence(lambda n: f"CERT-{n:05d}")
    issued_by = "TÜV SÜD"
    issued_on = factory.LazyAttribute(
        lambda c: timezone.localdate() + datetime.timedelta(days=c.expires_in_days - 1095)
    )
    expires_on = factory.LazyAttribute(
        lambda c: timezone.localdate() + datetime.timedelta(days=c.expires_in_days)
    )
