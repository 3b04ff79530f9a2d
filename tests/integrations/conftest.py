"""The orders fixtures (a released revision, a plant, an order) serve the API tests too."""

from ..orders.conftest import alpha_plant, order, revision  # noqa: F401
