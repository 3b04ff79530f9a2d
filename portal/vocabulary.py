"""Names that apps register in code: audit actions and ledger event kinds.

Each app registers the names it uses, with a label, when its vocabulary module is
imported (its AppConfig.ready imports it), so adding one needs no migration: the
model fields take their choices from these registries through a callable, which
migrations store by reference instead of re-listing.
"""

from __future__ import annotations


class Vocabulary:
    """A set of names, each with a translatable label, registered once."""

    def __init__(self, what: str):
        self.what = what
        self._labels: dict[str, object] = {}

    def register(self, name: str, label) -> str:
        """Add `name` and return it, so that `SIGNED_IN = register(...)` reads well."""
        known = self._labels.get(name)
        if known is not None and str(known) != str(label):
            raise ValueError(f"{self.what} {name!r} is already registered as {known!r}")
        self._labels[name] = label
        return name

    def check(self, name: str) -> str:
        if name not in self._labels:
            raise ValueError(f"unknown {self.what} {name!r}: register it in its app's vocabulary")
        return name

    def label(self, name: str):
        return self._labels.get(name, name)

    def choices(self) -> list[tuple[str, object]]:
        return sorted(self._labels.items())

    def __contains__(self, name: object) -> bool:
        return name in self._labels


AUDIT_ACTIONS = Vocabulary("audit action")
LEDGER_KINDS = Vocabulary("ledger event kind")


def audit_action(name: str, label) -> str:
    return AUDIT_ACTIONS.register(name, label)


def ledger_kind(name: str, label) -> str:
    return LEDGER_KINDS.register(name, label)


def audit_action_choices() -> list[tuple[str, object]]:
    return AUDIT_ACTIONS.choices()


def ledger_kind_choices() -> list[tuple[str, object]]:
    return LEDGER_KINDS.choices()
