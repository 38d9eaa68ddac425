"""Embedders: the OpenAI-compatible client against a real loopback HTTP server speaking the
``POST /v1/embeddings`` protocol (vectors computed by the local MiniLM), and the config choice."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import pytest
from pydantic import SecretStr

from memcubedb.embeddings import (
    EmbeddingConfig,
    EmbeddingError,
    OpenAIEmbedder,
    default_embedder,
    make_embedder,
)


class EmbeddingServer(ThreadingHTTPServer):
    """Answers ``/v1/embeddings`` with MiniLM vectors scaled by 3 (clients must normalise),
    ``data`` in reverse order (clients must sort by ``index``); ``fail_next`` 5xx answers
    first; records every request body and Authorization header."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests: list[dict[str, Any]] = []
        self.auth: list[str | None] = []
        self.fail_next = 0
        self.answer: Any = None


class Handler(BaseHTTPRequestHandler):
    server: EmbeddingServer

    def log_message(self, *args: object) -> None:
        pass

    def _send(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append(request)
        self.server.auth.append(self.headers.get("Authorization"))
        if self.path != "/v1/embeddings":
            self._send(404, {"error": {"message": "not found"}})
        elif self.server.fail_next > 0:
            self.server.fail_next -= 1
            self._send(503, {"error": {"message": "overloaded"}})
        elif request.get("model") != "minilm":
            self._send(400, {"error": {"message": f"unknown model {request.get('model')}"}})
        elif self.server.answer is not None:
            self._send(200, self.server.answer)
        else:
            vectors = default_embedder().embed(list(request["input"])) * 3.0
            data = [{"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)]
            self._send(200, {"object": "list", "data": data[::-1], "model": "minilm"})


@pytest.fixture(scope="module")
def server() -> Iterator[EmbeddingServer]:
    default_embedder().embed(["warm up"])  # load the model before the first request times it
    srv = EmbeddingServer()
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@pytest.fixture
def config(server: EmbeddingServer) -> EmbeddingConfig:
    server.requests.clear()
    server.auth.clear()
    server.fail_next = 0
    server.answer = None
    host, port = server.server_address[:2]
    return EmbeddingConfig(
        provider="openai", model="minilm", base_url=f"http://{host}:{port}/v1", api_key=SecretStr("sk-test"),
        batch_size=2, max_retries=1, timeout_s=10,
    )  # fmt: skip


TEXTS = ["Alice adopted a puppy.", "The budget meeting moved.", "Bob fixed the heater.", "Trail closed."]


def test_openai_client_matches_the_local_model(server: EmbeddingServer, config: EmbeddingConfig) -> None:
    embedder = make_embedder(config)
    assert isinstance(embedder, OpenAIEmbedder)
    assert embedder.dim == 384  # learnt from one probe request
    vectors = embedder.embed(TEXTS)
    local = default_embedder().embed(TEXTS)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    np.testing.assert_allclose(vectors, local, atol=1e-5)  # order restored from ``index``
    assert [len(r["input"]) for r in server.requests] == [1, 2, 2]  # probe, then batches of 2
    assert all(r["encoding_format"] == "float" and r["model"] == "minilm" for r in server.requests)
    assert set(server.auth) == {"Bearer sk-test"}
    assert embedder.embed([]).shape == (0, 384)


def test_openai_client_retries_server_errors(server: EmbeddingServer, config: EmbeddingConfig) -> None:
    embedder = OpenAIEmbedder(config.model_copy(update={"dimensions": 384}))
    assert server.requests == []  # a configured dimension needs no probe
    server.fail_next = 1
    assert embedder.embed(TEXTS[:1]).shape == (1, 384)
    assert server.requests[-1]["dimensions"] == 384
    server.fail_next = 2  # more failures than retries
    with pytest.raises(EmbeddingError, match="HTTP 503"):
        embedder.embed(TEXTS[:1])


def test_openai_client_rejects_errors_and_malformed_answers(server: EmbeddingServer, config: EmbeddingConfig) -> None:
    with pytest.raises(EmbeddingError, match=r"HTTP 400.*unknown model"):
        OpenAIEmbedder(config.model_copy(update={"model": "nope"}))
    embedder = OpenAIEmbedder(config.model_copy(update={"dimensions": 384}))
    server.answer = {"data": [{"index": 0}]}
    with pytest.raises(EmbeddingError, match="not an embeddings answer"):
        embedder.embed(TEXTS[:1])
    server.answer = {"data": [{"index": 0, "embedding": [1.0, 0.0]}]}
    with pytest.raises(EmbeddingError, match="expected 2 vectors"):
        embedder.embed(TEXTS[:2])
    with pytest.raises(EmbeddingError, match="2-d vectors, expected 384"):
        embedder.embed(TEXTS[:1])


def test_openai_client_unreachable_endpoint() -> None:
    cfg = EmbeddingConfig(provider="openai", base_url="http://127.0.0.1:9/v1", dimensions=8, max_retries=0)
    with pytest.raises(EmbeddingError, match=r"127\.0\.0\.1:9"):
        OpenAIEmbedder(cfg).embed(["x"])


def test_default_config_is_the_shared_local_minilm() -> None:
    assert make_embedder() is default_embedder()
    assert make_embedder(EmbeddingConfig(threads=1)).dim == 384
