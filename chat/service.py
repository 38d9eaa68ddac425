"""ChatService: memory-augmented chat completions for a principal (the one entry point).

    service.complete("alice", {"messages": [{"role": "user", "content": "Where does Bob work?"}]})

returns a :class:`~memcubedb.chat.schemas.ChatCompletion` (OpenAI ``chat.completion`` plus the
``memcubedb`` report of the memories used); :meth:`ChatService.stream` yields
``chat.completion.chunk`` objects instead. Per request: validate → assemble the context as the
principal (:mod:`memcubedb.chat.context`, in the caller's thread) → generate on the model worker
(one thread: the model and its adapter slot are shared, so generations run one at a time;
``chat.max_queue`` bounds how many wait, ``chat.queue_timeout_s`` how long) → record access of
the memories used (they feed the scheduler's behaviour scores) → optionally write the exchange
back as a chat memory through MemReader.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from memcubedb.chat.context import ContextPlan, assemble, recheck
from memcubedb.chat.errors import (
    Overloaded,
    QueueTimeout,
    UnknownModel,
    UnsupportedParameters,
    WriteBackRefused,
)
from memcubedb.chat.generation import Sampling
from memcubedb.chat.local import Emit, Outcome
from memcubedb.chat.schemas import (
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatRequest,
    Choice,
    ChunkChoice,
    Delta,
    MemoriesByType,
    MemoryReport,
    MemoryUsed,
    ModelCard,
    ModelList,
    PromptTokensDetails,
    Usage,
    unsupported_parameters,
)
from memcubedb.config.chat import ChatConfig
from memcubedb.extraction.chats import Chat, ChatTurn
from memcubedb.extraction.reader import MemReader
from memcubedb.graph.store import GraphStore
from memcubedb.search.metrics import AccessRecorder
from memcubedb.search.searcher import MemorySearch

ASSISTANT = "assistant"
"""Speaker name of the answer in a written-back chat memory."""


class Backend(Protocol):
    """What generates: :class:`~memcubedb.chat.local.LocalBackend` or
    :class:`~memcubedb.chat.upstream.UpstreamBackend`."""

    def run(
        self,
        plan: ContextPlan,
        conversation: list[dict[str, str]],
        sampling: Sampling,
        emit: Emit,
        cancelled: Callable[[], bool],
        started: float,
    ) -> Outcome: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class Served:
    """The backend and the model id it is listed under; ``kv_capable``: it can use activation
    and parametric memory (the local LM)."""

    backend: Backend
    model_id: str
    kv_capable: bool


class ChatStream:
    """One request in flight: deltas arrive from the model worker through a queue.

    Call :meth:`ready` first (raises the request's error, if any, before any output), then iterate
    :meth:`chunks` (or :meth:`deltas`); :meth:`completion` gives the final object afterwards.
    """

    def __init__(self, service: ChatService, principal: str, request: ChatRequest, plan: ContextPlan,
                 may_write: bool) -> None:  # fmt: skip
        self.service = service
        self.principal = principal
        self.request = request
        self.plan = plan
        self.may_write = may_write
        self.id = "chatcmpl-" + uuid.uuid4().hex
        self.created = int(time.time())
        self.events: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.cancel = threading.Event()
        self.outcome: Outcome | None = None
        self.report: MemoryReport | None = None
        self._ready = False

    def _next(self) -> tuple[str, Any]:
        kind, value = self.events.get()
        if kind == "error":
            raise value
        return kind, value

    def ready(self) -> None:
        """Block until the prompt is accepted and generation starts.

        Raises:
            PromptTooLong, QueueTimeout, UpstreamFailed, …: the request's error.
        """
        while not self._ready:
            kind, _ = self._next()
            self._ready = kind == "ready"

    def deltas(self) -> Iterator[str]:
        """The answer's text pieces; when exhausted, :attr:`outcome` and :attr:`report` are set."""
        self.ready()
        try:
            while True:
                kind, value = self._next()
                if kind == "delta":
                    yield value
                elif kind == "done":
                    self.outcome = value
                    self.report = self.service.finish(self)
                    return
        finally:
            self.cancel.set()

    def chunks(self) -> Iterator[ChatCompletionChunk]:
        """``chat.completion.chunk`` objects: the role, the text deltas, the finish (with the
        ``memcubedb`` report) and, with ``stream_options.include_usage``, the usage."""
        model = self.service.served.model_id

        def chunk(delta: Delta, finish: str | None = None, **extra: Any) -> ChatCompletionChunk:
            return ChatCompletionChunk(id=self.id, created=self.created, model=model,
                                       choices=[ChunkChoice(delta=delta, finish_reason=finish)], **extra)  # fmt: skip

        yield chunk(Delta(role="assistant", content=""))
        for text in self.deltas():
            yield chunk(Delta(content=text))
        assert self.outcome is not None
        yield chunk(Delta(), self.outcome.finish_reason, memcubedb=self.report)  # type: ignore[arg-type]
        if self.request.stream_options and self.request.stream_options.include_usage:
            yield ChatCompletionChunk(id=self.id, created=self.created, model=model, choices=[], usage=self.usage())

    def usage(self) -> Usage:
        """Token counts of the finished answer."""
        out = self.outcome
        assert out is not None
        return Usage(prompt_tokens=out.prompt_tokens, completion_tokens=out.completion_tokens,
                     total_tokens=out.prompt_tokens + out.completion_tokens,
                     prompt_tokens_details=PromptTokensDetails(cached_tokens=out.cached_tokens))  # fmt: skip

    def completion(self) -> ChatCompletion:
        """Run to the end (if not yet) and return the ``chat.completion``."""
        for _ in self.deltas() if self.outcome is None else ():
            pass
        out, report = self.outcome, self.report
        assert out is not None and report is not None
        return ChatCompletion(
            id=self.id, created=self.created, model=self.service.served.model_id,
            choices=[Choice(message=AssistantMessage(content=out.text), finish_reason=out.finish_reason)],  # type: ignore[arg-type]
            usage=self.usage(), memcubedb=report,
        )  # fmt: skip


class ChatService:
    """Memory-augmented chat for every principal, over one store and one backend.

    Args:
        store: the graph store (context queries, write-back).
        config: the ``chat`` settings.
        served: the backend and its model id.
        search: a searcher built with ``record_access=False`` (``None``: no plaintext memory).
        reader: ``reader(principal)`` → a MemReader owned by that principal (write-back).
    """

    def __init__(self, store: GraphStore, config: ChatConfig, served: Served, search: MemorySearch | None,
                 reader: Callable[[str], MemReader]) -> None:  # fmt: skip
        self.store = store
        self.config = config
        self.served = served
        self.search = search
        self.reader = reader
        self.recorder = AccessRecorder(store)
        workers = 1 if served.kv_capable else config.max_queue
        self._worker = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="chat-model")
        self._admitted = 0
        self._lock = threading.Lock()

    def close(self) -> None:
        """Stop the worker (running generations finish) and flush access metrics."""
        self._worker.shutdown(wait=True, cancel_futures=True)
        self.served.backend.close()
        if self.search is not None:
            self.search.close()
        self.recorder.close()

    def models(self) -> ModelList:
        """The models served (one)."""
        return ModelList(data=[ModelCard(id=self.served.model_id)])

    def validate(self, request: ChatRequest | dict[str, Any], may_write: bool) -> ChatRequest:
        """The request as a :class:`ChatRequest`, checked against what this server supports.

        Raises:
            pydantic.ValidationError: malformed request.
            UnsupportedParameters, UnknownModel, WriteBackRefused: see :mod:`memcubedb.chat.errors`.
        """
        req = request if isinstance(request, ChatRequest) else ChatRequest.model_validate(request)
        bad = unsupported_parameters(req)
        if bad:
            raise UnsupportedParameters(bad)
        if req.model is not None and req.model != self.served.model_id:
            raise UnknownModel(f"model {req.model!r} is not served here; GET /v1/models lists {self.served.model_id!r}")
        if req.memcubedb.write_back and (not may_write or self.config.write_back == "off"):
            raise WriteBackRefused(
                "memcubedb.write_back needs a key that may write"
                if not may_write else "write-back is switched off (MEMCUBEDB_CHAT__WRITE_BACK=off)"
            )
        return req

    def sampling(self, req: ChatRequest) -> Sampling:
        """The decoding settings of a request (defaults from the ``chat`` settings)."""
        wanted = req.max_completion_tokens or req.max_tokens or self.config.max_new_tokens
        return Sampling(
            max_new_tokens=min(wanted, self.config.max_new_tokens),
            temperature=self.config.default_temperature if req.temperature is None else req.temperature,
            top_p=1.0 if req.top_p is None else req.top_p,
            seed=req.seed,
            stop=req.stops,
        )

    def stream(self, principal: str, request: ChatRequest | dict[str, Any], *, may_write: bool = False) -> ChatStream:
        """Start a completion for ``principal``; returns at once with the :class:`ChatStream`.

        Raises:
            Overloaded: ``chat.max_queue`` generations are already admitted (retry later).
            and the errors of :meth:`validate`.
        """
        started = time.perf_counter()
        req = self.validate(request, may_write)
        with self._lock:
            if self._admitted >= self.config.max_queue:
                raise Overloaded(
                    f"{self._admitted} chat requests in progress (MEMCUBEDB_CHAT__MAX_QUEUE={self.config.max_queue})",
                    self.config.retry_after_s,
                )
            self._admitted += 1
        try:
            plan = assemble(self.store, self.search, self.config, principal, req, self.served.kv_capable)
            stream = ChatStream(self, principal, req, plan, may_write)
            job = self._worker.submit(self._generate, stream, started, time.perf_counter())
            job.add_done_callback(lambda done: self._dropped(stream) if done.cancelled() else None)
        except BaseException:
            self._release()
            raise
        return stream

    def complete(
        self, principal: str, request: ChatRequest | dict[str, Any], *, may_write: bool = False
    ) -> ChatCompletion:
        """A whole ``chat.completion`` for ``principal`` (blocks until it is done).

        Args:
            request: an OpenAI chat-completions body (dict or :class:`ChatRequest`); ``stream`` is ignored.
            may_write: whether the principal's key may write (needed for ``memcubedb.write_back``).

        Raises:
            the errors of :meth:`stream` and :meth:`ChatStream.ready`.
        """
        return self.stream(principal, request, may_write=may_write).completion()

    def _dropped(self, stream: ChatStream) -> None:
        """A queued generation cancelled by :meth:`close`: its caller gets a 503, not a wait forever."""
        self._release()
        stream.events.put(("error", QueueTimeout("the chat service is shutting down", self.config.retry_after_s)))

    def _release(self) -> None:
        with self._lock:
            self._admitted -= 1

    def _generate(self, stream: ChatStream, started: float, submitted: float) -> None:
        emit: Emit = lambda kind, value: stream.events.put((kind, value))  # noqa: E731
        try:
            waited = time.perf_counter() - submitted
            if waited > self.config.queue_timeout_s:
                raise QueueTimeout(
                    f"waited {waited:.0f} s for the model (MEMCUBEDB_CHAT__QUEUE_TIMEOUT_S="
                    f"{self.config.queue_timeout_s:g})", self.config.retry_after_s,
                )  # fmt: skip
            stream.plan = recheck(self.store, stream.principal, stream.plan)
            outcome = self.served.backend.run(
                stream.plan, stream.request.conversation(), self.sampling(stream.request), emit,
                stream.cancel.is_set, started,
            )  # fmt: skip
            stream.events.put(("done", outcome))
        except BaseException as exc:
            stream.events.put(("error", exc))
        finally:
            self._release()

    def finish(self, stream: ChatStream) -> MemoryReport:
        """After the answer: record access of the memories used, write back if asked, and build
        the ``memcubedb`` report."""
        out = stream.outcome
        assert out is not None
        plan = stream.plan
        memories = MemoriesByType(
            activation=[MemoryUsed(id=r.id, score=r.score, via="kv_prefix") for r in out.prefix]
            + [MemoryUsed(id=r.id, score=r.score, via="text_fallback") for r in out.fallback],
            plaintext=[MemoryUsed(id=h.cube_id, score=h.score, via="memory_block") for h in plan.plaintext],
            parametric=[MemoryUsed(id=out.adapter, score=plan.adapter.score, via="adapter")]
            if out.adapter and plan.adapter else [],
        )  # fmt: skip
        if memories.ids():
            self.recorder.record(memories.ids())
        report = MemoryReport(
            memories=memories, adapter=out.adapter, backend="local" if self.served.kv_capable else "upstream",
            prefill_tokens=out.prefill_tokens, cached_tokens=out.cached_tokens, ttft_ms=out.ttft_ms,
            notes=out.notes, context=out.context if stream.request.memcubedb.explain else None,
        )  # fmt: skip
        if stream.request.memcubedb.write_back:
            report.written = self._write_back(stream, out.text)
        return report

    def _write_back(self, stream: ChatStream, answer: str) -> list[str]:
        """Store the last user turn and the answer as one chat through MemReader, owned by the
        principal; the extraction activity carries the completion id (provenance)."""
        question = next((m.text for m in reversed(stream.request.messages) if m.role == "user"), "")
        turns = [ChatTurn(speaker=stream.principal, text=question, turn_id="user")] if question.strip() else []
        if answer.strip():
            turns.append(ChatTurn(speaker=ASSISTANT, text=answer, turn_id=ASSISTANT))
        if not turns:
            return []
        chat = Chat(uri=f"chat-completion://{stream.principal}/{stream.id}", turns=turns)
        writes = []
        for w in self.reader(stream.principal).read([chat]):
            params = {**w.activity.params, "completion_id": stream.id, "model": self.served.model_id}
            w = w.model_copy(update={"activity": w.activity.model_copy(update={"params": params})})
            w.cube.descriptive.tags = list(dict.fromkeys([*w.cube.descriptive.tags, "chat-completion"]))
            writes.append(w)
        return self.store.write_cubes(writes)
