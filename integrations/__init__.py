"""Integrations: API keys and the REST API's cross-cutting parts (problem JSON,
idempotency), shop-floor bridges and standard file formats."""
