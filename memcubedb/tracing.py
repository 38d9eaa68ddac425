"""Optional OpenTelemetry traces (opentelemetry-api/-sdk): spans for search channels, Neo4j
transactions and model calls. Off by default (``MEMCUBEDB_TELEMETRY__TRACES``).

Code everywhere opens spans through :func:`span`; until :func:`configure_tracing` installs an
SDK ``TracerProvider`` the API's no-op tracer makes each span a few attribute-free calls. Span
names: ``search.channel`` (``memcubedb.channel``), ``search``, ``neo4j.read`` / ``neo4j.write``
(``db.system.name`` = ``neo4j``, ``db.namespace``, ``db.query.text`` for single queries — our
Cypher is constant text, values travel as parameters), ``model.embed``, ``model.generate``,
``model.kv_template``, ``model.lora_train``, ``model.load``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import ParamSpec, TypeVar

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, SpanExporter
from opentelemetry.util.types import AttributeValue

from memcubedb.config.telemetry import TelemetryConfig

_TRACER = trace.get_tracer("memcubedb")
P = ParamSpec("P")
T = TypeVar("T")


@contextmanager
def span(name: str, **attributes: AttributeValue) -> Iterator[trace.Span]:
    """A span named ``name`` around the block (current span as parent); exceptions are recorded."""
    with _TRACER.start_as_current_span(name, attributes=attributes) as current:
        yield current


def traced(name: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorator: each call of the function runs inside a span named ``name``."""

    def wrap(fn: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(fn)
        def inner(*args: P.args, **kwargs: P.kwargs) -> T:
            with span(name, **{"code.function.name": fn.__qualname__}):
                return fn(*args, **kwargs)

        return inner

    return wrap


def configure_tracing(config: TelemetryConfig, exporter: SpanExporter | None = None) -> TracerProvider | None:
    """Install the process's SDK tracer provider when ``config.traces`` is on or ``exporter`` is
    given (a test's ``InMemorySpanExporter``, any SDK exporter): spans go to ``exporter``
    synchronously, else to the console in batches. Returns the provider, or ``None`` (tracing off).

    OpenTelemetry allows one provider per process: a later call adds its exporter to the SDK
    provider already installed.
    """
    if not config.traces and exporter is None:
        return None
    processor = SimpleSpanProcessor(exporter) if exporter is not None else BatchSpanProcessor(ConsoleSpanExporter())
    current = trace.get_tracer_provider()
    provider = current if isinstance(current, TracerProvider) else TracerProvider(
        resource=Resource.create({"service.name": "memcubedb"})
    )
    provider.add_span_processor(processor)
    if provider is not current:
        trace.set_tracer_provider(provider)
    return provider
