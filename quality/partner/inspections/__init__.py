"""Inspections: recording a piece by form (one reading per characteristic of
the operation), importing them from a CMM's CSV export, the characteristics
measured here and their SPC (control charts, Cp/Cpk, rule violations)."""
