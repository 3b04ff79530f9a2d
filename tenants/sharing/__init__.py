"""A partner's data-sharing agreement: what beyond status and quantities it
releases to the hub. A partner admin decides it on the partner's host
(views.py); `services.agreement_set` records it.

`releases_changed` is sent inside the agreement's transaction with `partner`,
`old` and `new` releases and `actor`, so that the apps publishing a group
(orders: capacity; quality: its summary) publish what is now released, without
tenants knowing them."""

from django.dispatch import Signal

releases_changed = Signal()
