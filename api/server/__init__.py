"""The FastAPI server: a router per resource (``routes_*``), API-key auth as a dependency that
yields the principal, RFC 9457 errors mapped once, request limits, and the per-process services."""
