"""The LLM extractor against a real HTTP server on loopback speaking the OpenAI chat-completions
protocol (structured outputs). The server is the only double: it answers from a table instead
of a model, and it is started and stopped by the tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest

from memcubedb.config.extraction import ExtractionConfig, LLMConfig
from memcubedb.extraction.chats import Chat, ChatTurn
from memcubedb.extraction.errors import ExtractorError
from memcubedb.extraction.llm import LLMExtractor, LLMOutput
from memcubedb.extraction.reader import MemReader
from memcubedb.extraction.resolution import EntityResolver
from memcubedb.extraction.triples import EntityType, TextUnit

API_KEY = "test-key"
ANSWERS: dict[str, dict[str, Any]] = {
    "Bob is the CTO of Acme.": {
        "entities": [{"name": "Bob", "type": "PERSON", "text": "Bob"}, {"name": "Acme", "type": "ORG", "text": "Acme"}],
        "triples": [{"subject": "Bob", "predicate": "is CTO of", "object": "Acme", "negated": False,
                     "confidence": 0.92, "valid_from": None}],
    },
    "I stopped drinking coffee last week.": {
        "entities": [{"name": "Ann", "type": "PERSON", "text": "I"},
                     {"name": "coffee", "type": "CONCEPT", "text": "coffee"}],
        "triples": [{"subject": "Ann", "predicate": "drink", "object": "coffee", "negated": True,
                     "confidence": 1.7, "valid_from": "2023-05-01"}],
    },
}  # fmt: skip


class FakeModel(BaseHTTPRequestHandler):
    """POST /v1/chat/completions → a chat.completion whose content is the table's JSON."""

    requests: ClassVar[list[dict[str, Any]]] = []
    failures_left: ClassVar[dict[str, int]] = {}

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def _send(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeModel.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if self.path != "/v1/chat/completions":
            self._send(404, {"error": {"message": "not found"}})
            return
        if self.headers.get("Authorization") != f"Bearer {API_KEY}":
            self._send(401, {"error": {"message": "invalid api key"}})
            return
        text = body["messages"][-1]["content"].split("Text:\n", 1)[1]
        if FakeModel.failures_left.get(text, 0) > 0:
            FakeModel.failures_left[text] -= 1
            self._send(503, {"error": {"message": "overloaded"}})
            return
        answer = ANSWERS.get(text, {"entities": [], "triples": []})
        content = "this is not JSON" if text == "GARBAGE" else json.dumps(answer)
        self._send(200, {
            "id": "chatcmpl-test", "object": "chat.completion", "model": body["model"],
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content, "refusal": None}}],
        })  # fmt: skip


@pytest.fixture
def endpoint() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeModel)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeModel.requests.clear()
    FakeModel.failures_left.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def config(url: str, **changes: Any) -> LLMConfig:
    return LLMConfig(base_url=url, model="test-model", api_key=API_KEY, timeout_s=5, max_retries=2, **changes)


def test_llm_extraction_has_the_same_types(endpoint: str) -> None:
    extractor = LLMExtractor(config(endpoint))
    (extraction,) = list(extractor.extract([TextUnit(text="Bob is the CTO of Acme.")]))
    (triple,) = extraction.triples
    assert triple.key() == ("bob", "is cto of", "acme", False)
    assert triple.confidence == pytest.approx(0.92) and triple.rule == "llm"
    assert {(m.name, m.type) for m in extraction.mentions} == {("Bob", EntityType.PERSON), ("Acme", EntityType.ORG)}
    bob = next(m for m in extraction.mentions if m.name == "Bob")
    assert (bob.start, bob.end) == (0, 3)


def test_request_asks_for_strict_json_schema_output(endpoint: str) -> None:
    LLMExtractor(config(endpoint)).extract_one(TextUnit(text="Bob is the CTO of Acme.", speaker="Ann", addressee="Bea"))
    (request,) = FakeModel.requests
    body = request["body"]
    assert request["auth"] == f"Bearer {API_KEY}"
    assert body["model"] == "test-model"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["strict"] is True
    assert body["response_format"]["json_schema"]["schema"] == LLMOutput.model_json_schema()
    assert '"speaker": "Ann"' in body["messages"][-1]["content"]


def test_values_are_clamped_and_dates_parsed(endpoint: str) -> None:
    extraction = LLMExtractor(config(endpoint)).extract_one(TextUnit(text="I stopped drinking coffee last week."))
    (triple,) = extraction.triples
    assert triple.negated and triple.confidence == 1.0
    assert triple.valid_from is not None and triple.valid_from.isoformat() == "2023-05-01T00:00:00+00:00"


def test_server_errors_are_retried(endpoint: str) -> None:
    FakeModel.failures_left["Bob is the CTO of Acme."] = 2
    extraction = LLMExtractor(config(endpoint)).extract_one(TextUnit(text="Bob is the CTO of Acme."))
    assert len(extraction.triples) == 1
    assert len(FakeModel.requests) == 3


def test_unusable_output_fails_after_the_retries(endpoint: str) -> None:
    with pytest.raises(ExtractorError, match="after 3 attempt"):
        LLMExtractor(config(endpoint)).extract_one(TextUnit(text="GARBAGE"))
    assert len(FakeModel.requests) == 3


def test_a_refused_key_fails_at_once(endpoint: str) -> None:
    bad = LLMConfig(base_url=endpoint, model="test-model", api_key="wrong", timeout_s=5)
    with pytest.raises(ExtractorError, match="HTTP 401"):
        LLMExtractor(bad).extract_one(TextUnit(text="Bob is the CTO of Acme."))
    assert len(FakeModel.requests) == 1


def test_memreader_builds_records_from_llm_output(endpoint: str) -> None:
    cfg = ExtractionConfig(extractor="llm", llm=config(endpoint, concurrency=2))
    reader = MemReader(cfg, resolver=EntityResolver(cfg.resolution.model_copy(update={"embedding_model": None})))
    chat = Chat(uri="chat:llm", turns=[
        ChatTurn(speaker="Ann", text="Bob is the CTO of Acme.", turn_id="1"),
        ChatTurn(speaker="Bea", text="Nice weather.", turn_id="2"),
    ])  # fmt: skip
    first, second = list(reader.read([chat]))
    assert reader.agent.name.endswith("(llm: test-model)")
    (fact,) = first.facts
    names = {e.id: e.name for e in first.entities}
    assert (names[fact.subject_id], fact.predicate, names[fact.object_id]) == ("Bob", "is cto of", "Acme")
    assert second.facts == [] and first.activity.params["extractor"] == "llm"
