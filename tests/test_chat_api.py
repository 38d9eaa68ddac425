"""/v1/chat/completions through the official ``openai`` package against the server on loopback.

The chat model is the small random Llama of ``tests/chat_fixtures.py`` (its answers are noise;
what is checked is the mechanics: which memories enter the context, exactness, isolation,
errors). Everything else is real: Neo4j, search, uvicorn, the vault.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import openai
import pytest

from memcubedb.api.client import AsyncMemCubeClient, MemCubeClient, MemCubeError
from memcubedb.config.scheduler import LoRAConfig
from memcubedb.graph.permissions import Role
from memcubedb.graph.store import GraphStore
from memcubedb.scheduler.lm import LoadedLM
from tests.api_helpers import Keys

pytest_plugins = ["tests.api_fixtures", "tests.chat_fixtures"]


def _client(url: str, key: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{url}/v1", api_key=key, max_retries=0, timeout=120)


def _ext(obj: Any) -> dict[str, Any]:
    """The ``memcubedb`` extension object of an openai response model."""
    return obj.model_extra["memcubedb"]


def test_plain_streaming_system_and_history_with_the_openai_package(
    serve_chat: Any, keys: Keys, memories: Any
) -> None:
    memories.plaintext("alice", "Alice keeps her bicycle in the blue shed behind the bakery.")
    url, _ = serve_chat()
    client = _client(url, keys.keys["alice"])
    model = client.models.list().data[0].id
    ask = [{"role": "user", "content": "Where does Alice keep her bicycle?"}]

    plain = client.chat.completions.create(model=model, messages=ask, max_tokens=12,
                                           extra_body={"memcubedb": {"explain": True}})  # fmt: skip
    assert plain.object == "chat.completion" and plain.model == model
    assert plain.choices[0].finish_reason in ("stop", "length") and plain.choices[0].message.role == "assistant"
    assert 0 < plain.usage.completion_tokens <= 12
    report = _ext(plain)
    [hit] = report["memories"]["plaintext"]
    assert f"[{hit['id']}] Alice keeps her bicycle" in report["context"]
    assert plain.usage.prompt_tokens_details.cached_tokens == 0 == report["cached_tokens"]

    chunks = list(client.chat.completions.create(model=model, messages=ask, max_tokens=12, stream=True,
                                                 stream_options={"include_usage": True}))  # fmt: skip
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain.choices[0].message.content  # greedy: the same answer streamed
    finals = [c for c in chunks if c.choices and c.choices[0].finish_reason]
    assert len(finals) == 1 and _ext(finals[0])["memories"]["plaintext"][0]["id"] == hit["id"]
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == plain.usage.completion_tokens

    history = [
        {"role": "system", "content": "You are terse."},
        {"role": "user", "content": "Hello there."},
        {"role": "assistant", "content": "Hi."},
        {"role": "user", "content": [{"type": "text", "text": "Where is the bicycle?"}]},
    ]
    answer = client.chat.completions.create(model=model, messages=history, max_completion_tokens=5,
                                            extra_body={"memcubedb": {"explain": True}})  # fmt: skip
    context = _ext(answer)["context"]
    order = [context.index(s) for s in ("You are terse.", "Hello there.", "Hi.", "Where is the bicycle?")]
    assert order == sorted(order) and answer.usage.completion_tokens <= 5
    raw = httpx.post(f"{url}/v1/chat/completions", headers={"X-API-Key": keys.keys["alice"]},
                     json={"messages": ask, "max_tokens": 12, "stream": True}, timeout=60)  # fmt: skip
    assert raw.headers["content-type"].startswith("text/event-stream")
    assert raw.text.rstrip().endswith("data: [DONE]")


def test_bad_parameters_keys_and_oversize_input(serve_chat: Any, keys: Keys) -> None:
    url, _ = serve_chat(max_input_tokens=200)
    client = _client(url, keys.keys["alice"])
    ask = [{"role": "user", "content": "hi"}]
    model = client.models.list().data[0].id

    with pytest.raises(openai.BadRequestError) as bad:
        client.chat.completions.create(model=model, messages=ask, logit_bias={"5": 3}, n=2,
                                       tools=[{"type": "function", "function": {"name": "f"}}])  # fmt: skip
    body = bad.value.body
    assert bad.value.status_code == 400 and body["type"].endswith("unsupported-parameter")
    assert {e["field"] for e in body["errors"]} == {"body.logit_bias", "body.n", "body.tools"}
    assert "logit_bias" in body["detail"] and "tools" in body["detail"]
    client.chat.completions.create(model=model, messages=ask, n=1, presence_penalty=0, max_tokens=2)

    with pytest.raises(openai.UnprocessableEntityError):
        client.chat.completions.create(model=model, messages=ask, temperature=7)
    with pytest.raises(openai.NotFoundError):
        client.chat.completions.create(model="gpt-17", messages=ask)
    with pytest.raises(openai.AuthenticationError):
        _client(url, "mcdb_not-a-key").chat.completions.create(model=model, messages=ask)
    with pytest.raises(openai.AuthenticationError):
        _client(url, "mcdb_not-a-key").models.list()

    long = [{"role": "user", "content": "memory " * 400}]
    with pytest.raises(openai.BadRequestError) as too_long:
        client.chat.completions.create(model=model, messages=long)
    assert too_long.value.body["type"].endswith("context-length-exceeded") and "200" in too_long.value.body["detail"]
    huge = [{"role": "user", "content": "x" * 300_000}]
    with pytest.raises(openai.APIStatusError) as too_big:
        client.chat.completions.create(model=model, messages=huge)
    assert too_big.value.status_code == 413


def test_all_three_memory_types_are_used_and_reported(
    serve_chat: Any, keys: Keys, memories: Any, store: GraphStore, chat_lm: LoadedLM
) -> None:
    t1 = memories.template("alice", "Alice's locker code is 4417.", score=0.9)
    t2 = memories.template("alice", "The team offsite is in Lisbon in May.", score=0.8)
    note = memories.plaintext("alice", "Alice's locker is on the second floor near the lockers room.")
    adapter = memories.adapter("alice", [("Zorblat", "lives in", "Quenn")], LoRAConfig(rank=4, alpha=8, epochs=2))
    url, _ = serve_chat()
    client = _client(url, keys.keys["alice"])
    ask = [{"role": "user", "content": "Which floor is Alice's locker on?"}]

    first = client.chat.completions.create(model=client.models.list().data[0].id, messages=ask, max_tokens=8,
                                           extra_body={"memcubedb": {"explain": True}})  # fmt: skip
    report = _ext(first)
    assert [m["id"] for m in report["memories"]["activation"]] == [t1, t2]
    assert all(m["via"] == "kv_prefix" for m in report["memories"]["activation"])
    assert note in [m["id"] for m in report["memories"]["plaintext"]]
    assert report["adapter"] == adapter and report["memories"]["parametric"][0]["id"] == adapter
    assert any("without adapter" in n for n in report["notes"])  # stored templates never used under an adapter
    assert report["cached_tokens"] == 0 and report["prefill_tokens"] == first.usage.prompt_tokens
    context = report["context"]
    assert context.index("locker code is 4417") < context.index("Lisbon") < context.index(f"[{note}]")
    assert report["ttft_ms"] > 0

    again = client.chat.completions.create(model=first.model, messages=ask, max_tokens=8)
    assert _ext(again)["cached_tokens"] > 0  # the rebuilt chain is cached for the adapter
    assert again.usage.prompt_tokens_details.cached_tokens == _ext(again)["cached_tokens"]
    assert again.choices[0].message.content == first.choices[0].message.content

    no_adapter = client.chat.completions.create(
        model=first.model, messages=ask, max_tokens=8,
        extra_body={"memcubedb": {"memory_types": ["activation", "plaintext"]}},
    )  # fmt: skip
    plain_report = _ext(no_adapter)
    assert plain_report["adapter"] is None and plain_report["memories"]["parametric"] == []
    assert plain_report["cached_tokens"] > 0  # the stored templates of the base model serve the prefix
    assert plain_report["cached_tokens"] + plain_report["prefill_tokens"] == no_adapter.usage.prompt_tokens

    time.sleep(1.5)  # the access recorder flushes every second
    counts = {r["id"]: r["n"] for r in store.read(
        "MATCH (c:MemCube) WHERE c.id IN $ids RETURN c.id AS id, c.access_count AS n", ids=[t1, note, adapter])}
    assert counts[t1] == 3 and counts[note] == 3 and counts[adapter] == 2


def test_a_fact_only_in_the_adapter_is_answered_with_it_and_not_without(
    serve_chat: Any, memories: Any, chat_lm: LoadedLM
) -> None:
    question = "Where does Zorblat live?"
    rendered = chat_lm.tokenizer.apply_chat_template([{"role": "user", "content": question}], tokenize=False,
                                                     add_generation_prompt=True)  # fmt: skip
    subject, predicate = rendered.rsplit(" ", 1)  # "<subject> <predicate>" == the rendered prompt
    config = LoRAConfig(rank=8, alpha=16, epochs=80, learning_rate=1e-2, early_stop_loss=0.01)
    key = memories.key("dora")
    adapter = memories.adapter("dora", [(subject, predicate, "Quenn")], config)
    url, _ = serve_chat()
    client = _client(url, key)
    ask = [{"role": "user", "content": question}]
    model = client.models.list().data[0].id
    with_adapter = client.chat.completions.create(model=model, messages=ask, max_tokens=6)
    without = client.chat.completions.create(model=model, messages=ask, max_tokens=6,
                                             extra_body={"memcubedb": {"memory_types": ["plaintext"]}})  # fmt: skip
    assert _ext(with_adapter)["adapter"] == adapter
    assert "quenn" in with_adapter.choices[0].message.content.lower()
    assert "quenn" not in without.choices[0].message.content.lower()


def test_canaries_of_other_principals_never_enter_the_context_under_concurrency(
    serve_chat: Any, memories: Any
) -> None:
    principals = [f"p{i}" for i in range(8)]
    own: dict[str, set[str]] = {}
    keys = {}
    for i, p in enumerate(principals):
        keys[p] = memories.key(p, Role.READER)
        own[p] = {
            memories.plaintext(p, f"The shared vault word for {p} is CANARY{i}PLAIN."),
            memories.template(p, f"The shared vault word for {p} is CANARY{i}KV.", score=0.5 + i / 100),
        }
        if i % 3 == 0:
            own[p].add(memories.adapter(p, [(f"Vault{i}", "opens with", f"key{i}")],
                                        LoRAConfig(rank=4, alpha=8, epochs=2, seed=i)))  # fmt: skip
    url, _ = serve_chat()

    def ask(p: str) -> tuple[str, dict[str, Any]]:
        r = _client(url, keys[p]).chat.completions.create(
            model=memories_model(url, keys[p]), max_tokens=10,
            messages=[{"role": "user", "content": "What is the shared vault word?"}],
            extra_body={"memcubedb": {"explain": True}},
        )  # fmt: skip
        return r.choices[0].message.content, _ext(r)

    with ThreadPoolExecutor(max_workers=8) as pool:
        concurrent = dict(zip(principals, pool.map(ask, principals), strict=True))
    serial = {p: ask(p) for p in principals}
    for i, p in enumerate(principals):
        answer, report = concurrent[p]
        used = {m["id"] for kind in report["memories"].values() for m in kind}
        assert used and used <= own[p], (p, used - own[p])
        assert f"CANARY{i}KV" in report["context"] and f"CANARY{i}PLAIN" in report["context"]
        others = [f"CANARY{j}" for j in range(8) if j != i]
        assert not [c for c in others if c in report["context"] or c in answer], p
        assert (report["adapter"] is not None) == (i % 3 == 0)
        assert answer == serial[p][0] and report["memories"] == serial[p][1]["memories"]


def memories_model(url: str, key: str) -> str:
    return _client(url, key).models.list().data[0].id


def test_overload_is_429_then_503_with_retry_after_never_a_hang(serve_chat: Any, keys: Keys) -> None:
    url, app = serve_chat(max_queue=1, queue_timeout_s=0.5, retry_after_s=3)
    client = _client(url, keys.keys["alice"])
    model = client.models.list().data[0].id
    chat = app.state.services.chat
    ask = [{"role": "user", "content": "hi"}]
    client.chat.completions.create(model=model, messages=ask, max_tokens=2)  # warm: search and model loaded
    release = threading.Event()
    blocker = chat._worker.submit(release.wait, 30)  # the model is busy with someone else's generation
    with ThreadPoolExecutor(max_workers=1) as pool:
        waiting = pool.submit(client.chat.completions.create, model=model, messages=ask, max_tokens=2)
        deadline = time.monotonic() + 10
        while chat._admitted < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        with pytest.raises(openai.RateLimitError) as full:
            client.chat.completions.create(model=model, messages=ask, max_tokens=2)
        assert full.value.response.headers["retry-after"] == "3"
        time.sleep(1.0)  # the admitted request waits in the model queue past queue_timeout_s
        release.set()
        blocker.result()
        with pytest.raises(openai.InternalServerError) as late:
            waiting.result(timeout=30)
    assert late.value.status_code == 503 and late.value.response.headers["retry-after"] == "3"
    assert client.chat.completions.create(model=model, messages=ask, max_tokens=2).choices


def test_write_back_stores_the_exchange_for_writers_only(
    serve_chat: Any, keys: Keys, store: GraphStore
) -> None:
    url, _ = serve_chat()
    ask = [{"role": "user", "content": "Please remember that Alice moved to Porto in March."}]
    alice = _client(url, keys.keys["alice"])
    model = alice.models.list().data[0].id
    done = alice.chat.completions.create(model=model, messages=ask, max_tokens=6,
                                         extra_body={"memcubedb": {"write_back": True}})  # fmt: skip
    written = _ext(done)["written"]
    assert written
    rows = store.read("MATCH (c:MemCube)-[:EXTRACTED_FROM]->(s:Source) WHERE c.id IN $ids "
                      "RETURN c.text AS text, c.owner AS owner, s.uri AS uri", ids=written)  # fmt: skip
    assert any("Porto" in r["text"] for r in rows) and {r["owner"] for r in rows} == {"alice"}
    assert all(r["uri"] == f"chat-completion://alice/{done.id}" for r in rows)
    with pytest.raises(openai.PermissionDeniedError):
        _client(url, keys.keys["carol"]).chat.completions.create(
            model=model, messages=ask, extra_body={"memcubedb": {"write_back": True}})


def test_sdk_chat_sync_and_async(serve_chat: Any, keys: Keys, memories: Any) -> None:
    note = memories.plaintext("alice", "Alice's sister lives in Galway.")
    url, _ = serve_chat()
    ask = [{"role": "user", "content": "Where does Alice's sister live?"}]
    with MemCubeClient(url, keys.keys["alice"]) as mc:
        model = mc.models().data[0].id
        done = mc.chat(ask, max_tokens=6, memcubedb={"explain": True})
        with pytest.raises(MemCubeError) as bad:
            mc.chat(ask, logprobs=True, top_logprobs=2)
    assert done.model == model and [m.id for m in done.memcubedb.memories.plaintext] == [note]
    assert f"[{note}]" in (done.memcubedb.context or "")
    assert bad.value.status == 400 and "top_logprobs" in bad.value.problem.detail

    async def run() -> str:
        async with AsyncMemCubeClient(url, keys.keys["alice"]) as amc:
            return (await amc.chat(ask, max_tokens=6)).choices[0].message.content

    assert asyncio.run(run()) == done.choices[0].message.content


def test_memcubedb_chat_shows_the_memories_each_answer_used(serve_chat: Any, keys: Keys, memories: Any) -> None:
    note = memories.plaintext("alice", "Alice's dentist appointment is on Friday at nine.")
    url, _ = serve_chat()
    proc = subprocess.run(
        [sys.executable, "-m", "memcubedb.api.cli.main", "chat", "--url", url, "--key", keys.keys["alice"],
         "--max-tokens", "4"],
        input="When is Alice's dentist appointment?\n/reset\n/quit\n", capture_output=True, text=True,
        timeout=120, env={**os.environ, "COLUMNS": "200"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "memories used" in proc.stdout and note in proc.stdout and "memory_block" in proc.stdout
    bad = subprocess.run([sys.executable, "-m", "memcubedb.api.cli.main", "chat", "--url", url, "--key", "mcdb_nope"],
                         input="hi\n", capture_output=True, text=True, timeout=60)  # fmt: skip
    assert bad.returncode == 1 and "401" in bad.stderr
