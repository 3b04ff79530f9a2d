"""Pagination of every API list: `?limit=` and `?offset=`, bounded."""

from rest_framework import pagination

# The most rows one response carries, whatever `limit` the request asks for.
MAX_LIMIT = 1000


class LimitOffsetPagination(pagination.LimitOffsetPagination):
    """DRF's limit/offset pagination with a ceiling on `limit`: a larger limit
    (even one past PostgreSQL's bigint) is cut to MAX_LIMIT rather than sent to
    the database. A limit or offset that is not a number, or below zero, falls
    back to the default as in DRF."""

    max_limit = MAX_LIMIT
