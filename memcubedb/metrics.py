"""Prometheus metrics of one MemCubeDB process (``prometheus-client``), and how they are served.

Every process (API, ``memcubedb worker``, both in one) counts into the process-wide default
registry; the API serves it at ``GET /metrics`` (:mod:`memcubedb.api.observability`), a worker
on a loopback port (:func:`serve_metrics`). Labels are bounded sets — route templates, statuses,
search channels, job kinds, cache names — never a principal, an id or any text, so a scrape
reveals nothing behind a tenant wall. Names follow Prometheus conventions (base units: seconds;
counters end in ``_total``).

| metric | type | labels |
|---|---|---|
| ``memcubedb_http_request_duration_seconds`` | histogram | ``method``, ``route`` (template), ``status`` |
| ``memcubedb_search_channel_duration_seconds`` | histogram | ``channel`` (vector, fulltext, graph, neighbours) |
| ``memcubedb_search_duration_seconds`` | histogram | — (one hybrid search, end to end) |
| ``memcubedb_cubes_written_total`` | counter | ``memory_type`` (new MemCubes committed by this process) |
| ``memcubedb_facts_written_total`` | counter | — (facts asserted by those writes) |
| ``memcubedb_job_duration_seconds`` | histogram | ``kind``, ``state`` (succeeded, failed, lost) |
| ``memcubedb_job_queue_depth`` | gauge | ``state`` (queued, running; read from Neo4j at scrape time) |
| ``memcubedb_model_cache_requests_total`` | counter | ``cache`` (lm, kv_prefix, adapter), ``result`` (hit, miss) |
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, start_http_server
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

#: Latency buckets (seconds) for requests, searches and channels: 1 ms … 30 s.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: Job buckets (seconds): 0.1 s … 1 h (LoRA training and KGE take minutes).
JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0)

REQUEST_SECONDS = Histogram(
    "memcubedb_http_request_duration_seconds", "HTTP requests served, by route template and status (seconds)",
    ["method", "route", "status"], buckets=LATENCY_BUCKETS,
)  # fmt: skip
SEARCH_SECONDS = Histogram(
    "memcubedb_search_duration_seconds", "Hybrid searches, end to end (seconds)", buckets=LATENCY_BUCKETS
)
SEARCH_CHANNEL_SECONDS = Histogram(
    "memcubedb_search_channel_duration_seconds", "Time of each search channel (seconds)", ["channel"],
    buckets=LATENCY_BUCKETS,
)  # fmt: skip
CUBES_WRITTEN = Counter("memcubedb_cubes_written_total", "New MemCubes committed by this process", ["memory_type"])
FACTS_WRITTEN = Counter("memcubedb_facts_written_total", "Facts asserted by the MemCubes this process committed")
JOB_SECONDS = Histogram(
    "memcubedb_job_duration_seconds", "Scheduler jobs run by this process, from lease to end (seconds)",
    ["kind", "state"], buckets=JOB_BUCKETS,
)  # fmt: skip
MODEL_CACHE = Counter(
    "memcubedb_model_cache_requests_total", "Look-ups in the per-process model caches", ["cache", "result"]
)


def cache_lookup(cache: str, hit: bool) -> None:
    """Count one look-up of a model cache (``lm``, ``kv_prefix``, ``adapter``)."""
    MODEL_CACHE.labels(cache=cache, result="hit" if hit else "miss").inc()


class JobQueueDepth(Collector):
    """``memcubedb_job_queue_depth{state}``, read at scrape time by ``count()`` → ``{state: n}``
    (the job ledger in Neo4j is the queue, shared by every process)."""

    def __init__(self, count: Callable[[], dict[str, int]]) -> None:
        self._count = count

    def collect(self) -> Iterator[Metric]:
        """One gauge family; a failed count yields nothing (the scrape still answers)."""
        family = GaugeMetricFamily(
            "memcubedb_job_queue_depth", "Scheduler jobs queued or running (all processes)", labels=["state"]
        )
        try:
            counts = self._count()
        except Exception:  # a scrape must not fail because Neo4j is briefly away
            return
        for state in ("queued", "running"):
            family.add_metric([state], counts.get(state, 0))
        yield family


class _Process(Collector):
    """Everything of the process-wide default registry (collected through a per-app registry)."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def registry_with(collectors: Iterable[Collector]) -> CollectorRegistry:
    """A registry of this process's metrics plus ``collectors`` (e.g. one :class:`JobQueueDepth`
    bound to a store), so several apps in one process never register the same name twice."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Process())
    for collector in collectors:
        registry.register(collector)
    return registry


def exposition(registry: CollectorRegistry) -> bytes:
    """The Prometheus text format (0.0.4) of ``registry``."""
    return generate_latest(registry)


def serve_metrics(port: int, host: str = "127.0.0.1", collectors: Iterable[Collector] = ()) -> Callable[[], None]:
    """Serve this process's metrics (plus ``collectors``) at ``http://host:port/metrics`` on a
    daemon thread — what ``memcubedb worker`` calls with ``settings.telemetry.worker_metrics_port``.

    Returns:
        a function that stops the listener.

    Raises:
        OSError: the port is taken.
    """
    server: WSGIServer
    thread: threading.Thread
    server, thread = start_http_server(port, addr=host, registry=registry_with(collectors))

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)

    return stop
