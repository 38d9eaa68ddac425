"""The upstream backend: an OpenAI-compatible chat-completions endpoint (plaintext memory only).

The memory block goes upstream as a ``system`` message in front of the conversation; the answer
is streamed back (``stream: true``, server-sent events, ``stream_options.include_usage``) and
relayed delta by delta. KV templates and adapters need the weights, which an endpoint does not
expose: the response notes that activation and parametric memory were not used.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import httpx

from memcubedb.chat.context import ContextPlan, memory_block
from memcubedb.chat.errors import UpstreamFailed
from memcubedb.chat.generation import Sampling
from memcubedb.chat.local import Emit, Outcome
from memcubedb.config.chat import UpstreamConfig


class UpstreamBackend:
    """Chat completions relayed to ``config.base_url`` (one pooled httpx client)."""

    def __init__(self, config: UpstreamConfig) -> None:
        self.config = config
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self._http = httpx.Client(base_url=config.base_url.rstrip("/") + "/", headers=headers, timeout=config.timeout_s)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def run(
        self,
        plan: ContextPlan,
        conversation: list[dict[str, str]],
        sampling: Sampling,
        emit: Emit,
        cancelled: Callable[[], bool],
        started: float,
    ) -> Outcome:
        """Ask upstream with the memory block prepended; relay the answer through ``emit``.

        Raises:
            UpstreamFailed: transport error, an error status, or a malformed event stream.
        """
        items = [(h.cube_id, h.text) for h in plan.plaintext]
        messages = [{"role": "system", "content": memory_block(items)}] if items else []
        messages += conversation
        body: dict[str, object] = {
            "model": self.config.model,
            "messages": messages,
            "stream": True,
            "stream_options": {"include_usage": True},
            "max_tokens": sampling.max_new_tokens,
            "temperature": sampling.temperature,
            "top_p": sampling.top_p,
        }
        if sampling.seed is not None:
            body["seed"] = sampling.seed
        if sampling.stop:
            body["stop"] = list(sampling.stop)
        out = Outcome(notes=list(plan.notes), context="\n".join(f"{m['role']}: {m['content']}" for m in messages))
        pieces: list[str] = []
        try:
            with self._http.stream("POST", "chat/completions", json=body) as response:
                if response.status_code >= 400:
                    response.read()
                    raise UpstreamFailed(f"upstream answered {response.status_code}: {response.text[:300]}")
                emit("ready", "")
                for line in response.iter_lines():
                    if not line.startswith("data:"):
                        continue
                    data = line[5:].strip()
                    if data == "[DONE]" or cancelled():
                        break
                    chunk = json.loads(data)
                    usage = chunk.get("usage")
                    if usage:
                        out.prompt_tokens = int(usage.get("prompt_tokens", 0))
                        out.completion_tokens = int(usage.get("completion_tokens", 0))
                    for choice in chunk.get("choices") or []:
                        text = (choice.get("delta") or {}).get("content")
                        if text:
                            if not pieces:
                                out.ttft_ms = (time.perf_counter() - started) * 1000.0
                            pieces.append(text)
                            emit("delta", text)
                        if choice.get("finish_reason"):
                            out.finish_reason = "stop" if choice["finish_reason"] != "length" else "length"
        except (httpx.HTTPError, json.JSONDecodeError) as exc:
            raise UpstreamFailed(f"upstream {self.config.base_url} failed: {exc}") from exc
        out.text = "".join(pieces)
        out.prefill_tokens = out.prompt_tokens
        return out
