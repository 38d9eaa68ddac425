"""Operability of one API process (issue 16): request ids, bookmarks, /metrics, traces, JSON logs.

Against the real Neo4j of ``conftest.py``; the several-process checks (2 APIs + a worker) are in
``tests/test_cluster_metrics.py``. Metrics are process-wide, so each test compares a scrape before
and after what it sends.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families

from memcubedb.api.app import create_app
from memcubedb.api.client import CausalBookmarks, MemCubeClient
from memcubedb.config.telemetry import TelemetryConfig
from memcubedb.graph.store import GraphStore
from memcubedb.logs import RequestFields, formatter
from memcubedb.request_context import BOOKMARK_HEADER, RequestContext, bound, decode_bookmarks, encode_bookmarks
from memcubedb.settings import Settings
from memcubedb.tracing import configure_tracing
from tests.api_helpers import Keys, assert_problem
from tests.support.loopback import serve

pytest_plugins = ["tests.api_fixtures"]


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample of a Prometheus exposition (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()):
                return float(s.value)
    return 0.0


def test_bookmark_tokens_round_trip_and_union() -> None:
    one, two = encode_bookmarks(["FB:a"]), encode_bookmarks(["FB:b", "FB:c"])
    assert decode_bookmarks(one) == {"FB:a"}
    assert decode_bookmarks(f"{one}, {two}") == {"FB:a", "FB:b", "FB:c"}
    too_many = encode_bookmarks([f"FB:{i}" for i in range(17)])
    for bad in ("", "x", "e30", one + ",", encode_bookmarks([""]), too_many):  # "e30" is {} in base64
        with pytest.raises(ValueError):
            decode_bookmarks(bad)


def test_request_id_is_taken_or_made_and_returned(client: TestClient, keys: Keys) -> None:
    given = client.get("/v1/cubes", headers={**keys["alice"], "X-Request-ID": "trace-me-42"})
    assert given.headers["X-Request-ID"] == "trace-me-42"
    made = client.get("/v1/cubes", headers={**keys["alice"], "X-Request-ID": "bad id with spaces"})
    assert made.headers["X-Request-ID"] not in ("", "bad id with spaces") and len(made.headers["X-Request-ID"]) == 32


def test_a_write_returns_its_bookmark_a_read_none_and_a_forged_one_is_refused(client: TestClient, keys: Keys) -> None:
    wrote = client.post("/v1/cubes", json={"text": "The heron nests by the weir."}, headers=keys["alice"])
    assert wrote.status_code == 201
    bookmarks = decode_bookmarks(wrote.headers[BOOKMARK_HEADER])
    assert bookmarks and all(b.startswith("FB:") for b in bookmarks)  # Neo4j 5 bookmarks
    read = client.get("/v1/cubes", headers={**keys["alice"], BOOKMARK_HEADER: wrote.headers[BOOKMARK_HEADER]})
    assert read.status_code == 200 and BOOKMARK_HEADER not in read.headers
    before = client.get("/v1/cubes", headers=keys["alice"]).json()
    forged = client.post("/v1/cubes", json={"text": "Forged bookmark canary Vexillum."},
                         headers={**keys["alice"], BOOKMARK_HEADER: "not-a-bookmark"})  # fmt: skip
    assert_problem(forged, 400)
    assert client.get("/v1/cubes", headers=keys["alice"]).json() == before  # nothing written


def test_sessions_open_with_the_bookmarks_a_request_received(store: GraphStore, settings: Settings) -> None:
    routed = settings.model_copy(update={"neo4j": settings.neo4j.model_copy(update={"scheme": "neo4j"})})
    writer, reader = GraphStore.connect(routed, migrate=False), GraphStore.connect(routed, migrate=False)
    try:
        assert writer.settings.bolt_uri.startswith("neo4j://")
        wrote = RequestContext("a")
        with bound(wrote):
            writer.permissions.ensure_principal("dora")
        assert wrote.written and wrote.bookmarks
        with bound(RequestContext("b", bookmarks=wrote.bookmarks)), reader.session(read_only=True) as s:
            assert wrote.bookmarks <= set(s.last_bookmarks().raw_values)  # the session starts from them
            assert s.run("MATCH (p:Principal {id: 'dora'}) RETURN count(p) AS n").single()["n"] == 1
    finally:
        writer.close()
        reader.close()


def test_the_sdk_reads_its_own_write_through_another_api(store: GraphStore, api_settings: Settings, keys: Keys) -> None:
    routed = api_settings.model_copy(update={"neo4j": api_settings.neo4j.model_copy(update={"scheme": "neo4j"})})
    sent: list[str | None] = []

    class Recording(httpx.HTTPTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            sent.append(request.headers.get(BOOKMARK_HEADER))
            return super().handle_request(request)

    chain = CausalBookmarks()
    with (
        serve(create_app(routed)) as url_a,
        serve(create_app(routed)) as url_b,
        MemCubeClient(url_a, keys.keys["alice"], bookmarks=chain) as a,
        MemCubeClient(url_b, keys.keys["alice"], bookmarks=chain, transport=Recording()) as b,
    ):
        added = a.add_text("The ferry to Inchcolm leaves at noon.")
        assert chain.tokens
        assert b.get_cube(added.written[0]).id == added.written[0]
    assert sent and sent[0] is not None and decode_bookmarks(sent[0])


def test_metrics_count_requests_by_route_template_status_and_channel(client: TestClient, keys: Keys) -> None:
    before = client.get("/metrics").text
    client.post("/v1/cubes", json={"text": "Mira repairs clocks in Ghent."}, headers=keys["alice"])
    for missing in ("nope-1", "nope-2"):
        client.get(f"/v1/cubes/{missing}", headers=keys["alice"])
    client.post("/v1/search", json={"query": "who repairs clocks?"}, headers=keys["alice"])
    scrape = client.get("/metrics")
    assert scrape.headers["content-type"].startswith("text/plain")
    after = scrape.text

    def delta(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    count = "memcubedb_http_request_duration_seconds_count"
    assert delta(count, method="POST", route="/v1/cubes", status="201") == 1
    assert delta(count, method="GET", route="/v1/cubes/{cube_id}", status="404") == 2
    assert "nope-1" not in after  # raw paths never become labels
    assert delta(count, method="POST", route="/v1/search", status="200") == 1
    assert delta("memcubedb_search_duration_seconds_count") == 1
    for channel in ("vector", "fulltext", "graph"):
        assert delta("memcubedb_search_channel_duration_seconds_count", channel=channel) == 1
    assert delta("memcubedb_cubes_written_total", memory_type="plaintext") == 1
    assert sample(after, "memcubedb_job_queue_depth", state="queued") == 0
    assert "alice" not in after and "Ghent" not in after


@pytest.fixture(scope="module")
def spans() -> InMemorySpanExporter:
    exporter = InMemorySpanExporter()
    assert configure_tracing(TelemetryConfig(), exporter) is not None
    return exporter


def test_traces_have_search_channel_and_neo4j_spans(
    client: TestClient, keys: Keys, spans: InMemorySpanExporter
) -> None:
    client.post("/v1/cubes", json={"text": "Otto keeps bees on the roof."}, headers=keys["alice"])
    spans.clear()
    client.post("/v1/search", json={"query": "who keeps bees?"}, headers=keys["alice"])
    done = spans.get_finished_spans()
    search = next(s for s in done if s.name == "search")
    channels = {s.attributes["memcubedb.channel"]: s for s in done if s.name == "search.channel"}
    assert {"vector", "fulltext", "graph"} <= channels.keys()
    assert all(s.parent is not None and s.parent.span_id == search.context.span_id for s in channels.values())
    reads = [s for s in done if s.name == "neo4j.read" and s.context.trace_id == search.context.trace_id]
    assert reads and all(s.attributes["db.system.name"] == "neo4j" for s in reads)
    assert any("db.query.text" in s.attributes for s in reads)
    assert any(s.name == "model.embed" for s in done)
    assert all("bees" not in str(v) for s in done for v in s.attributes.values())  # no user text in spans


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RequestFields())
    handler.setFormatter(formatter("json"))
    logger = logging.getLogger("memcubedb.api.access")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield out
    logger.removeHandler(handler)


def test_json_logs_carry_request_id_and_principal(client: TestClient, keys: Keys, json_log: io.StringIO) -> None:
    client.get("/v1/cubes", headers={**keys["bob"], "X-Request-ID": "log-me-7"})
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    mine = [x for x in lines if x.get("request_id") == "log-me-7"]
    assert len(mine) == 1
    assert mine[0]["principal"] == "bob" and mine[0]["route"] == "/v1/cubes" and mine[0]["status"] == 200
    assert mine[0]["level"] == "INFO" and mine[0]["message"] == "request"
