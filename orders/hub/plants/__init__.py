"""Plant inputs of plan runs (/planning/plants/): each plant's declared capacity as the
hub holds it (read-only), and the hub's own cost model, hourly rates and freight lanes."""
