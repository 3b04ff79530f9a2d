"""A partner's capacity declaration: the work centres, capabilities and planned
downtime of its plants, kept in its own schema and published to the hub while
its data-sharing agreement releases them."""
