"""Operability settings (``MEMCUBEDB_TELEMETRY__…``): Prometheus metrics, OpenTelemetry traces, logs."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class TelemetryConfig(BaseModel):
    """What each process exposes so that several of them can be watched.

    Attributes:
        metrics: the API serves Prometheus metrics at ``GET /metrics`` (no key needed; the
            series carry route templates, statuses, channels and job kinds — never a principal,
            a memory id or any text).
        worker_metrics_port: loopback port on which ``memcubedb worker`` serves its metrics
            (``None``: none served).
        metrics_host: the interface of that listener (keep it on loopback; put a reverse proxy or
            the Prometheus agent beside it).
        traces: OpenTelemetry spans (search channels, Neo4j queries, model calls); off by default.
        trace_exporter: where spans go when ``traces`` is on: ``console`` (stdout, the SDK's
            ``ConsoleSpanExporter``); a program may install any SDK exporter instead
            (:func:`memcubedb.tracing.configure_tracing`).
        log_format: ``json`` (one object per line with ``request_id`` and ``principal``) or ``text``.
        log_level: level of the ``memcubedb`` loggers.
    """

    metrics: bool = True
    worker_metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"
    traces: bool = False
    trace_exporter: Literal["console"] = "console"
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
