"""The first article inspection (FAI) of a work order: every characteristic of
its revision measured on the first piece, repeated on another piece after a
failure; needed when no earlier FAI of the revision passed here."""
