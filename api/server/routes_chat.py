"""/v1/chat/completions and /v1/models: memory-augmented generation, OpenAI-compatible.

The official ``openai`` package works against these routes with ``base_url`` set to
``<server>/v1`` and a MemCubeDB API key as its key (sent as ``Authorization: Bearer``). Each
request acts as the key's principal: only memories it may read enter the context
(:mod:`memcubedb.chat`). Errors are problem+json like every route: unsupported parameters and
over-long prompts 400, an unknown model 404, overload 429 / 503 with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, StreamingResponse

from memcubedb.api.schemas.problem import FieldError
from memcubedb.api.server.auth import Capability, Reader, ServicesDep
from memcubedb.api.server.errors import problem, responses
from memcubedb.chat.errors import (
    ChatError,
    Overloaded,
    PromptTooLong,
    QueueTimeout,
    UnknownModel,
    UnsupportedParameters,
    UpstreamFailed,
    WriteBackRefused,
)
from memcubedb.chat.schemas import ChatCompletion, ChatRequest, ModelList
from memcubedb.chat.service import ChatStream

router = APIRouter(tags=["chat"])

_STATUS: list[tuple[type[ChatError], int, str]] = [
    (UnsupportedParameters, 400, "unsupported-parameter"),
    (PromptTooLong, 400, "context-length-exceeded"),
    (UnknownModel, 404, "model-not-found"),
    (WriteBackRefused, 403, "forbidden"),
    (QueueTimeout, 503, "overloaded"),
    (Overloaded, 429, "overloaded"),
    (UpstreamFailed, 502, "upstream-failed"),
]


def _problem(request: Request, exc: ChatError) -> JSONResponse:
    """The problem+json answer of a chat error (``Retry-After`` on overload)."""
    status, kind = next(((s, k) for cls, s, k in _STATUS if isinstance(exc, cls)), (500, "chat-failed"))
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, Overloaded) else None
    errors = None
    if isinstance(exc, UnsupportedParameters):
        errors = [FieldError(field=f"body.{n}", message="not supported by this server", type="unsupported")
                  for n in exc.names]  # fmt: skip
    return problem(request, status, str(exc), kind, errors=errors, headers=headers)


def _events(stream: ChatStream) -> Iterator[str]:
    """Server-sent events: one ``data:`` line per chunk, then ``data: [DONE]``."""
    for chunk in stream.chunks():
        yield f"data: {chunk.model_dump_json(exclude_none=True)}\n\n"
    yield "data: [DONE]\n\n"


@router.get("/v1/models", response_model=ModelList, summary="Models served", responses=responses(401))
def models(caller: Reader, services: ServicesDep) -> ModelList:
    return services.chat.models()


@router.post(
    "/v1/chat/completions", response_model=ChatCompletion, summary="Chat with memory (OpenAI-compatible)",
    description="An OpenAI chat-completions request (`model`, `messages`, `max_tokens`/`max_completion_tokens`, "
                "`temperature`, `top_p`, `seed`, `stop`, `stream`, `stream_options`) answered with the caller's "
                "memories in context: KV templates as the cached prefix (activation), a memory block from hybrid "
                "search (plaintext), the active LoRA adapter (parametric). The `memcubedb` object of the request "
                "(`explain`, `write_back`, `memory_types`) and of the response (memories used, adapter, "
                "prefill/cached tokens, TTFT) extend the OpenAI shapes. `stream: true` answers with server-sent "
                "events ending in `data: [DONE]`.",
    responses=responses(400, 401, 403, 404, 413, 422, 429, 502, 503),
)
def chat_completions(
    body: ChatRequest, request: Request, caller: Reader, services: ServicesDep
) -> ChatCompletion | JSONResponse | StreamingResponse:
    try:
        stream = services.chat.stream(caller.principal, body, may_write=caller.can(Capability.WRITE))
        stream.ready()
        if body.stream:
            return StreamingResponse(_events(stream), media_type="text/event-stream",
                                     headers={"Cache-Control": "no-cache"})  # fmt: skip
        return stream.completion()
    except ChatError as exc:
        return _problem(request, exc)
