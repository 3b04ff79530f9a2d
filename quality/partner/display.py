"""How the partner's quality pages show measured values and limits."""

from __future__ import annotations

from decimal import Decimal


def plain(value: Decimal | None) -> Decimal | None:
    """10.015000 → 10.015, 10.000000 → 10 (no exponent)."""
    if value is None:
        return None
    normal = value.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral() else normal
