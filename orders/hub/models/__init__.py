"""The hub's tables (app label `orders_hub`, public schema), one module per sub-domain.

Every model is re-exported here, so `from orders.hub.models import X` works for hub
code. Partner-side code reads product definitions from `orders.hub.models.products`
only: the import contract `partner-no-hub-models` forbids this package and its other
modules to it.
"""

from .orders import Dispatch, NetworkOrder
from .plans import PlanRun
from .plants import FreightLane, PlantCapacity, PlantCost, WorkCentreRate
from .products import (
    BomLine,
    InspectionCharacteristic,
    Operation,
    Product,
    ProductRevision,
    RevisionIsReleased,
    RevisionPart,
)

__all__ = [
    "BomLine",
    "Dispatch",
    "FreightLane",
    "InspectionCharacteristic",
    "NetworkOrder",
    "Operation",
    "PlanRun",
    "PlantCapacity",
    "PlantCost",
    "Product",
    "ProductRevision",
    "RevisionIsReleased",
    "RevisionPart",
    "WorkCentreRate",
]
