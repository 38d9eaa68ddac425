"""Configuration of the knowledge-base API (nested in ``Settings`` as ``settings.api``).

Every field can be set from the environment with the prefix ``MEMCUBEDB_API__``, e.g.
``MEMCUBEDB_API__PORT=8080`` or ``MEMCUBEDB_API__MAX_BODY_BYTES=1048576``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ApiConfig(BaseModel):
    """Where ``memcubedb serve`` listens and the limits every request runs under.

    Attributes:
        host / port: the listening address (loopback by default).
        max_body_bytes: largest request body accepted, bytes; larger bodies get 413 before
            they are parsed (a chunked body is cut as soon as it passes the limit).
        cypher_timeout_s: server-side transaction timeout of analysts' Cypher, seconds; a
            request may ask for less, never more.
        cypher_max_rows: most rows one Cypher request returns; a request may ask for fewer.
        graph_max_nodes: most nodes one graph (visualisation) request returns.
        scheduler_workers: threads on which the API runs queued scheduler jobs (when
            ``scheduler.jobs.api_works_jobs`` is on).
        search_recipe: the search recipe used when a request names none.
    """

    model_config = ConfigDict(extra="forbid")

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    max_body_bytes: int = Field(default=8 * 1024 * 1024, ge=1024, description="bytes")
    cypher_timeout_s: float = Field(default=10.0, gt=0, le=600, description="seconds")
    cypher_max_rows: int = Field(default=1000, ge=1, le=100_000)
    graph_max_nodes: int = Field(default=200, ge=10, le=5000)
    scheduler_workers: int = Field(default=1, ge=1, le=8)
    search_recipe: str = "hybrid"
