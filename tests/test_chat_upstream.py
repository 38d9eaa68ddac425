"""The upstream backend: MemCubeDB relays to an OpenAI-compatible endpoint with plaintext memory.

The endpoint's double is a real HTTP server on loopback (FastAPI under uvicorn) speaking the
chat-completions protocol with server-sent events; it answers with the system text it was sent,
so the test sees exactly what reached upstream.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import openai
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse

from memcubedb.config.chat import UpstreamConfig
from tests.api_helpers import Keys
from tests.support.loopback import serve

pytest_plugins = ["tests.api_fixtures", "tests.chat_fixtures"]


def upstream_double(received: list[dict[str, Any]]) -> FastAPI:
    """An OpenAI-compatible endpoint answering ``ECHO: <system messages>`` in two chunks."""
    app = FastAPI()

    @app.post("/v1/chat/completions")
    async def completions(request: Request) -> StreamingResponse:
        body = await request.json()
        received.append({"body": body, "authorization": request.headers.get("authorization")})
        answer = "ECHO: " + " | ".join(m["content"] for m in body["messages"] if m["role"] == "system")
        half = len(answer) // 2

        def events() -> Iterator[str]:
            for piece in (answer[:half], answer[half:]):
                chunk = {"id": "up-1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                yield f"data: {json.dumps(chunk)}\n\n"
            done = {"id": "up-1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 42, "completion_tokens": 7, "total_tokens": 49}}
            yield f"data: {json.dumps(done)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    return app


def test_upstream_gets_the_memory_block_and_says_what_it_cannot_use(
    serve_chat: Any, keys: Keys, memories: Any
) -> None:
    note = memories.plaintext("alice", "Alice's parrot is called Captain Biscuit.")
    memories.plaintext("bob", "Bob's secret is CANARYBOBUPSTREAM.")
    template = memories.template("alice", "Alice's locker code is 4417.")
    received: list[dict[str, Any]] = []
    with serve(upstream_double(received)) as upstream_url:
        config = UpstreamConfig(base_url=f"{upstream_url}/v1", model="upstream-model", api_key="sk-upstream")
        url, _ = serve_chat(backend="upstream", upstream=config)
        client = openai.OpenAI(base_url=f"{url}/v1", api_key=keys.keys["alice"], max_retries=0)
        assert [m.id for m in client.models.list().data] == ["upstream-model"]
        ask = [{"role": "user", "content": "What is the name of Alice's parrot or Bob's secret?"}]
        done = client.chat.completions.create(model="upstream-model", messages=ask, max_tokens=20, seed=4,
                                              extra_body={"memcubedb": {"explain": True}})  # fmt: skip
        streamed = list(client.chat.completions.create(model="upstream-model", messages=ask, stream=True))
    report = done.model_extra["memcubedb"]
    assert report["backend"] == "upstream" and report["adapter"] is None
    assert report["memories"]["activation"] == [] and report["memories"]["parametric"] == []
    assert any("activation or parametric" in n for n in report["notes"])
    assert note in [m["id"] for m in report["memories"]["plaintext"]]
    answer = done.choices[0].message.content
    assert answer.startswith("ECHO: ") and f"[{note}] Alice's parrot is called Captain Biscuit." in answer
    assert "CANARYBOBUPSTREAM" not in answer and "CANARYBOBUPSTREAM" not in report["context"]
    assert template not in answer
    assert done.usage.prompt_tokens == 42 and done.usage.completion_tokens == 7
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == answer
    sent = received[0]
    assert sent["authorization"] == "Bearer sk-upstream"
    assert sent["body"]["model"] == "upstream-model" and sent["body"]["seed"] == 4
    assert sent["body"]["max_tokens"] == 20 and sent["body"]["messages"][-1] == ask[0]
