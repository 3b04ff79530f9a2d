"""Orders: product definitions and network orders on the hub (`orders.hub`),
work orders in each partner's schema (`orders.partner`), and the services that
cross between them (`orders.services`)."""
