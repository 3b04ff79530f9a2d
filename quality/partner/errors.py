"""How the partner's quality verbs refuse a change that the record's state does
not allow (a form shows it above its fields)."""

from django.core.exceptions import ValidationError


def refuse(message: str, code: str = "invalid_transition"):
    raise ValidationError(message, code=code)
