"""API keys, in the public schema, each bound to one partner."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

KEY_PREFIX_LENGTH = 8


def _hash(secret: str) -> str:
    # Keys are 256-bit random tokens: a plain SHA-256 is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()


class ApiKey(models.Model):
    """A partner's key for machine access to its own host's API.

    Only a hash is stored; the key itself is shown once, when it is issued.
    """

    class Scope(models.TextChoices):
        READ = "read", _("Read")
        WRITE = "write", _("Read and write")

    partner = models.ForeignKey(
        "tenants.Partner",
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        related_name="api_keys",
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("key prefix"), max_length=KEY_PREFIX_LENGTH, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64)
    scope = models.CharField(_("scope"), max_length=5, choices=Scope.choices, default=Scope.READ)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, partner, name: str, scope: str, created_by) -> tuple[ApiKey, str]:
        """Create a key; return it with the plaintext `prefix.secret` (shown once)."""
        prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
        secret = secrets.token_urlsafe(32)
        key = cls.objects.create(
            partner=partner,
            name=name,
            prefix=prefix,
            key_hash=_hash(secret),
            scope=scope,
            created_by=created_by,
        )
        return key, f"{prefix}.{secret}"

    def matches(self, secret: str) -> bool:
        return hmac.compare_digest(self.key_hash, _hash(secret))

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def may_write(self) -> bool:
        """Asked by the API's permission class for every unsafe method."""
        return self.scope == self.Scope.WRITE

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
