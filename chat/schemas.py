"""Request and response shapes of memory-augmented chat, after the OpenAI Chat Completions API.

The request is the OpenAI body (``model``, ``messages``, ``max_tokens`` / ``max_completion_tokens``,
``temperature``, ``top_p``, ``seed``, ``stop``, ``stream``, ``stream_options``) plus one extension
object, ``memcubedb`` (:class:`MemoryOptions`). Any other parameter is refused by
:func:`unsupported_parameters` (a neutral value of a few common ones, e.g. ``n: 1``, passes). The
response is a ``chat.completion`` (or ``chat.completion.chunk`` objects) with
``usage.prompt_tokens_details.cached_tokens`` and the extension object ``memcubedb``
(:class:`MemoryReport`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MemoryTypeName = Literal["activation", "plaintext", "parametric"]
ALL_MEMORY_TYPES: tuple[MemoryTypeName, ...] = ("activation", "plaintext", "parametric")

NEUTRAL_VALUES: dict[str, tuple[Any, ...]] = {
    "n": (1, None),
    "presence_penalty": (0, 0.0, None),
    "frequency_penalty": (0, 0.0, None),
    "logprobs": (False, None),
    "user": (),  # any value: an end-user id for abuse monitoring, no effect on generation
}
"""Parameters outside the supported set that pass when they carry a value that changes nothing
(an empty tuple: any value)."""


class TextPart(BaseModel):
    """A ``{"type": "text", "text": ...}`` content part (the only kind supported)."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["text"]
    text: str


class Message(BaseModel):
    """One chat message; ``developer`` is treated as ``system``."""

    model_config = ConfigDict(extra="forbid")

    role: Literal["system", "developer", "user", "assistant"]
    content: str | list[TextPart]
    name: str | None = None

    @property
    def text(self) -> str:
        """The message text (text parts joined)."""
        return self.content if isinstance(self.content, str) else "".join(p.text for p in self.content)

    def as_chat(self) -> dict[str, str]:
        """``{"role", "content"}`` as a chat template expects it."""
        return {"role": "system" if self.role == "developer" else self.role, "content": self.text}


class MemoryOptions(BaseModel):
    """The ``memcubedb`` extension object of a request.

    Attributes:
        explain: return the rendered context (what the model saw) in the response.
        write_back: store the exchange (last user turn and the answer) as a chat memory through
            MemReader (needs a key that may write, and ``chat.write_back = on_request``).
        memory_types: which memory types to use (default all three).
    """

    model_config = ConfigDict(extra="forbid")

    explain: bool = False
    write_back: bool = False
    memory_types: list[MemoryTypeName] = Field(default_factory=lambda: list(ALL_MEMORY_TYPES))


class StreamOptions(BaseModel):
    """``stream_options``: ``include_usage`` adds a last chunk with the usage and no choices."""

    model_config = ConfigDict(extra="forbid")

    include_usage: bool = False


class ChatRequest(BaseModel):
    """An OpenAI chat-completions request (the supported subset) with the ``memcubedb`` extension.

    Unknown parameters are kept in ``model_extra`` for :func:`unsupported_parameters` to name.
    """

    model_config = ConfigDict(extra="allow")

    model: str | None = Field(default=None, description="a model listed by GET /v1/models (default: the served one)")
    messages: list[Message] = Field(min_length=1)
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    seed: int | None = None
    stop: str | list[str] | None = None
    stream: bool = False
    stream_options: StreamOptions | None = None
    memcubedb: MemoryOptions = Field(default_factory=MemoryOptions)

    @field_validator("stop")
    @classmethod
    def _stops(cls, value: str | list[str] | None) -> str | list[str] | None:
        stops = [value] if isinstance(value, str) else value or []
        if len(stops) > 4 or any(not s for s in stops):
            raise ValueError("stop takes up to 4 non-empty strings")
        return value

    @property
    def stops(self) -> tuple[str, ...]:
        """The stop strings as a tuple."""
        return (self.stop,) if isinstance(self.stop, str) else tuple(self.stop or ())

    def conversation(self) -> list[dict[str, str]]:
        """The messages as ``{"role", "content"}`` dicts."""
        return [m.as_chat() for m in self.messages]

    def query(self, turns: int) -> str:
        """The search query: the last ``turns`` user messages, joined by newlines."""
        users = [m.text for m in self.messages if m.role == "user"]
        return "\n".join(users[-turns:])


def unsupported_parameters(request: ChatRequest) -> list[str]:
    """Names of the request's parameters this server does not support (sorted)."""
    extra = request.model_extra or {}
    bad = [k for k, v in extra.items() if k not in NEUTRAL_VALUES or (NEUTRAL_VALUES[k] and v not in NEUTRAL_VALUES[k])]
    return sorted(bad)


class MemoryUsed(BaseModel):
    """One memory that entered the context.

    Attributes:
        id: the MemCube id.
        score: the template's/adapter's promotion score, or the plaintext hit's fused search score.
        via: ``kv_prefix`` (activation memory served as cached KV), ``memory_block`` (text in the
            prompt), ``text_fallback`` (a KV template that could not be used as KV, given as text),
            ``adapter`` (LoRA weights applied).
    """

    id: str
    score: float
    via: Literal["kv_prefix", "memory_block", "text_fallback", "adapter"]


class MemoriesByType(BaseModel):
    """Memories used, by MemOS memory type."""

    activation: list[MemoryUsed] = Field(default_factory=list)
    plaintext: list[MemoryUsed] = Field(default_factory=list)
    parametric: list[MemoryUsed] = Field(default_factory=list)

    def ids(self) -> list[str]:
        """Every used id, activation then plaintext then parametric."""
        return [m.id for m in (*self.activation, *self.plaintext, *self.parametric)]


class MemoryReport(BaseModel):
    """The ``memcubedb`` extension object of a response.

    Attributes:
        memories: the memories used, by type.
        adapter: id of the LoRA adapter (parametric MemCube) applied, if any.
        backend: ``local`` or ``upstream``.
        prefill_tokens: prompt tokens computed for this request (including any KV template built or
            rebuilt now); cached_tokens: prompt tokens served from KV templates.
        ttft_ms: time from the request reaching the chat service to the first generated token.
        notes: what was not used and why (model/adapter mismatch, budget, backend limits).
        context: the rendered prompt, when ``memcubedb.explain`` was asked.
        written: ids of the chat memories written back, when ``memcubedb.write_back`` was asked.
    """

    memories: MemoriesByType = Field(default_factory=MemoriesByType)
    adapter: str | None = None
    backend: Literal["local", "upstream"] = "local"
    prefill_tokens: int = 0
    cached_tokens: int = 0
    ttft_ms: float | None = None
    notes: list[str] = Field(default_factory=list)
    context: str | None = None
    written: list[str] | None = None


class PromptTokensDetails(BaseModel):
    """``usage.prompt_tokens_details``."""

    cached_tokens: int = 0


class Usage(BaseModel):
    """Token counts of one completion."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int
    prompt_tokens_details: PromptTokensDetails = Field(default_factory=PromptTokensDetails)


class AssistantMessage(BaseModel):
    """The answer message."""

    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    """The one choice of a completion."""

    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop", "length"]
    logprobs: None = None


class ChatCompletion(BaseModel):
    """A ``chat.completion`` object with the ``memcubedb`` extension."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choice]
    usage: Usage
    memcubedb: MemoryReport


class Delta(BaseModel):
    """A chunk's delta."""

    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    """The one choice of a chunk."""

    index: int = 0
    delta: Delta
    finish_reason: Literal["stop", "length"] | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    """A ``chat.completion.chunk`` (server-sent event payload); the final one carries ``memcubedb``."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    usage: Usage | None = None
    memcubedb: MemoryReport | None = None


class ModelCard(BaseModel):
    """One entry of ``GET /v1/models``."""

    id: str
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "memcubedb"


class ModelList(BaseModel):
    """``GET /v1/models``."""

    object: Literal["list"] = "list"
    data: list[ModelCard]
