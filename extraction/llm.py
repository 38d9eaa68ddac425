"""The optional LLM extractor: an OpenAI-compatible chat-completions endpoint asked for
JSON-schema output (``response_format = {"type": "json_schema", ...}``, the OpenAI "structured
outputs" protocol, also spoken by vLLM, llama.cpp server, Ollama and others).

It yields the same :class:`~memcubedb.extraction.triples.Extraction` as the spaCy rules, so
resolution and graph records do not depend on which extractor ran.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from itertools import islice
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from memcubedb.config.extraction import LLMConfig
from memcubedb.extraction.errors import ExtractorError
from memcubedb.extraction.literals import typed
from memcubedb.extraction.temporal import as_utc
from memcubedb.extraction.triples import NAME_TYPES, EntityType, Extraction, Mention, TextUnit, Triple

SYSTEM_PROMPT = """You read one piece of text for a memory database and return JSON only.
List the entities it mentions (people, organisations, places, dates, products, events, concepts)
and the facts it states as (subject, predicate, object) triples between entity names.
- Predicates are short lower-case lemma phrases: "work at", "live in", "is cto of", "has".
- First-person words (I, me, my) mean the speaker; second-person words (you, your) the addressee.
- Keep negated statements with "negated": true instead of dropping them.
- Resolve relative dates against the given time and write valid_from as ISO 8601, else null.
- Dates are entities of type DATE named in ISO 8601 (1949-06-20, 1963-05, 1963); numbers are
  LITERAL entities named by the number and its unit as written ("286.5 square kilometres").
- confidence is your certainty between 0 and 1."""


class LLMEntity(BaseModel):
    """An entity as the model returns it."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="canonical name")
    type: EntityType
    text: str = Field(description="the words used in the text")


class LLMTriple(BaseModel):
    """A triple as the model returns it (subject/object are entity names)."""

    model_config = ConfigDict(extra="forbid")

    subject: str
    predicate: str
    object: str
    negated: bool
    confidence: float
    valid_from: str | None


class LLMOutput(BaseModel):
    """The whole JSON answer; its JSON Schema is sent as ``response_format``."""

    model_config = ConfigDict(extra="forbid")

    entities: list[LLMEntity]
    triples: list[LLMTriple]


def response_format() -> dict[str, Any]:
    """The ``response_format`` body field: strict JSON schema of :class:`LLMOutput`."""
    return {
        "type": "json_schema",
        "json_schema": {"name": "memreader_extraction", "strict": True, "schema": LLMOutput.model_json_schema()},
    }


def _user_message(unit: TextUnit) -> str:
    context = {
        "speaker": unit.speaker,
        "addressee": unit.addressee,
        "time": unit.timestamp.isoformat() if unit.timestamp else None,
    }
    return f"Context: {json.dumps(context)}\nText:\n{unit.text}"


_VALUES = frozenset({EntityType.DATE, EntityType.LITERAL})


def _iso(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError:
        return None


def to_extraction(unit: TextUnit, output: LLMOutput, confidence_cap: float = 1.0) -> Extraction:
    """Turn the model's answer into mentions and triples (offsets found by text search)."""
    mentions: dict[str, Mention] = {}
    for e in output.entities:
        name = " ".join(e.name.split())[:512]
        if not name:
            continue
        start = unit.text.find(e.text) if e.text else -1
        span = (start, start + len(e.text)) if start >= 0 else (0, 0)
        mentions.setdefault(
            name.casefold(),
            Mention(text=e.text or name, name=name, type=e.type, start=span[0], end=span[1],
                    named=e.type in NAME_TYPES),
        )  # fmt: skip
    triples = []
    for t in output.triples:
        predicate = " ".join(t.predicate.lower().split())
        ends = []
        for name in (t.subject, t.object):
            key = " ".join(name.split()).casefold()
            if key and key not in mentions:
                mentions[key] = Mention(text=name, name=" ".join(name.split()), type=EntityType.OTHER)
            ends.append(mentions.get(key))
        subject, obj = ends
        if not predicate or subject is None or obj is None:
            continue
        value = typed(obj.name, obj.type == EntityType.DATE) if obj.type in _VALUES else None
        triples.append(
            Triple(
                subject=subject,
                predicate=predicate[:256],
                object=obj,
                negated=t.negated,
                confidence=max(0.0, min(confidence_cap, t.confidence)),
                start=0,
                end=len(unit.text),
                valid_from=_iso(t.valid_from),
                rule="llm",
                object_value=value.value if value else None,
                datatype=value.datatype if value else None,
                unit=value.unit if value else None,
            )
        )
    return Extraction(mentions=list(mentions.values()), triples=triples)


class LLMExtractor:
    """Extraction by an OpenAI-compatible chat-completions endpoint.

    Args:
        config: endpoint URL, model, API key, timeout, retries, concurrency.
        client: an ``httpx.Client`` to use (default: one built from ``config``).

    Raises (from :meth:`extract`):
        ExtractorError: on a 4xx answer, or when retries on 5xx / timeouts / malformed output
            are exhausted; the message carries the status and the start of the body.
    """

    name = "llm"

    def __init__(self, config: LLMConfig | None = None, client: httpx.Client | None = None) -> None:
        self.config = config or LLMConfig()
        self.version = self.config.model
        headers = {"Content-Type": "application/json"}
        if self.config.api_key is not None:
            headers["Authorization"] = f"Bearer {self.config.api_key.get_secret_value()}"
        self._client = client or httpx.Client(
            base_url=self.config.base_url.rstrip("/") + "/", headers=headers, timeout=self.config.timeout_s
        )

    def close(self) -> None:
        """Close the HTTP client."""
        self._client.close()

    def request_body(self, unit: TextUnit) -> dict[str, Any]:
        """The chat-completions request for one unit."""
        return {
            "model": self.config.model,
            "temperature": self.config.temperature,
            "messages": [
                {"role": "system", "content": SYSTEM_PROMPT},
                {"role": "user", "content": _user_message(unit)},
            ],
            "response_format": response_format(),
        }

    def extract_one(self, unit: TextUnit) -> Extraction:
        """Ask the endpoint about one unit (with retries).

        Raises:
            ExtractorError: see the class docstring.
        """
        problem = "no attempt made"
        for attempt in range(self.config.max_retries + 1):
            if attempt:
                time.sleep(min(2.0, 0.2 * 2**attempt))
            try:
                response = self._client.post("chat/completions", json=self.request_body(unit))
            except httpx.TransportError as exc:
                problem = f"transport error: {exc}"
                continue
            if response.status_code >= 500:
                problem = f"HTTP {response.status_code}: {response.text[:200]}"
                continue
            if response.status_code >= 400:
                raise ExtractorError(
                    f"LLM endpoint refused the request: HTTP {response.status_code}: {response.text[:300]}"
                )
            try:
                message = response.json()["choices"][0]["message"]
                if message.get("refusal"):
                    raise ExtractorError(f"the model refused: {message['refusal'][:300]}")
                output = LLMOutput.model_validate_json(message["content"])
            except (ValueError, KeyError, IndexError, TypeError, ValidationError) as exc:
                problem = f"unusable answer ({type(exc).__name__}): {response.text[:200]}"
                continue
            return to_extraction(unit, output)
        raise ExtractorError(f"LLM extraction failed after {self.config.max_retries + 1} attempt(s): {problem}")

    def extract(self, units: Iterable[TextUnit]) -> Iterator[Extraction]:
        """One Extraction per unit, in order; up to ``concurrency`` requests in flight."""
        stream = iter(units)
        with ThreadPoolExecutor(max_workers=self.config.concurrency, thread_name_prefix="memreader-llm") as pool:
            while batch := list(islice(stream, self.config.concurrency * 4)):
                yield from pool.map(self.extract_one, batch)
