"""The read-only JSON API (``/api/v1``): its views and the OpenAPI description."""
