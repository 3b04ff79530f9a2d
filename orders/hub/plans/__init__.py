"""Plan runs (/planning/): the hub starts, watches, cancels, reviews, compares (what-if)
and approves runs of the allocation engine. The engine itself is `orders.planning`,
plain Python without Django; this package feeds it hub data and keeps each run."""
