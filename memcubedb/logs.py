"""Structured logs: one JSON object per line, each carrying the request id and the principal.

``configure_logging`` (called by ``memcubedb serve`` and ``memcubedb worker``) installs one
stderr handler on the root logger with python-json-logger's ``JsonFormatter`` (or a plain text
format) and a filter that adds ``request_id`` and ``principal`` from
:mod:`memcubedb.request_context` to every record (``None`` outside a request), so a line of a
scheduler job, a Neo4j retry or uvicorn is tied to the request that caused it.
"""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

from memcubedb.config.telemetry import TelemetryConfig
from memcubedb.request_context import current_request
from memcubedb.tracing import configure_tracing

JSON_FIELDS = "{asctime}{levelname}{name}{message}{request_id}{principal}"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(principal)s] %(message)s"


class RequestFields(logging.Filter):
    """Adds ``request_id`` and ``principal`` of the current request to each record."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Annotate ``record`` (never drops it)."""
        request = current_request()
        record.request_id = request.request_id if request is not None else None
        record.principal = request.principal if request is not None else None
        return True


def formatter(log_format: str) -> logging.Formatter:
    """The formatter of ``log_format`` (``json`` or ``text``)."""
    if log_format == "json":
        return JsonFormatter(JSON_FIELDS, style="{", rename_fields={"levelname": "level", "name": "logger"})
    return logging.Formatter(TEXT_FORMAT)


def configure_logging(config: TelemetryConfig) -> logging.Handler:
    """Install the one stderr handler (replacing the root logger's handlers) and set the level of
    the ``memcubedb`` loggers; return the handler."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestFields())
    handler.setFormatter(formatter(config.log_format))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    logging.getLogger("memcubedb").setLevel(config.log_level)
    return handler


def configure_process(config: TelemetryConfig) -> None:
    """What ``memcubedb serve`` and ``memcubedb worker`` call first: structured logs and, when
    ``config.traces`` is on, the OpenTelemetry SDK (:func:`memcubedb.tracing.configure_tracing`)."""
    configure_logging(config)
    configure_tracing(config)
