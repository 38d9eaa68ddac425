"""Chats: ordered turns ``{speaker, text, timestamp, turn_id}``, and their JSON loaders.

Two file layouts are read:

* **chat JSON** (ours) — ``{"id": "...", "turns": [{"speaker", "text", "timestamp"?, "turn_id"?}]}``
  or a bare list of turns; a missing ``turn_id`` becomes the 1-based position, a timestamp is
  ISO 8601;
* **LoCoMo** (Maharana et al., ACL 2024; https://github.com/snap-research/LoCoMo,
  ``data/locomo10.json``) — a list of samples whose ``conversation`` holds
  ``session_N`` turn lists and ``session_N_date_time`` strings; every turn becomes a
  :class:`ChatTurn` with ``turn_id`` = its ``dia_id`` and ``timestamp`` = its session's time.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

from dateparser import parse as parse_date
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from memcubedb.cube import Timestamp
from memcubedb.extraction.errors import InputError


class ChatTurn(BaseModel):
    """One turn of a chat."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    speaker: str = Field(min_length=1, max_length=256)
    text: str = Field(min_length=1, max_length=100_000)
    timestamp: Timestamp | None = None
    turn_id: str = Field(min_length=1, max_length=256)


class Chat(BaseModel):
    """An ordered conversation.

    Attributes:
        uri: a stable name of the conversation (part of every turn's source id).
        turns: the turns in order; ``turn_id`` values are unique.

    Raises:
        pydantic.ValidationError: on an empty turn list or a repeated ``turn_id``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    uri: str = Field(min_length=1, max_length=2048)
    turns: list[ChatTurn] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_turn_ids(self) -> Chat:
        repeated = [tid for tid, n in Counter(t.turn_id for t in self.turns).items() if n > 1]
        if repeated:
            raise ValueError(f"turn_id values repeat: {', '.join(repeated[:5])}")
        return self

    @property
    def participants(self) -> list[str]:
        """Speakers in order of first appearance."""
        return list(dict.fromkeys(t.speaker for t in self.turns))

    def addressees(self) -> list[str | None]:
        """Who each turn speaks to: the other participant of a two-party chat, otherwise the
        last different earlier speaker (``None`` before anybody else spoke)."""
        people = self.participants
        out: list[str | None] = []
        last_other: dict[str, str] = {}
        previous: str | None = None
        for turn in self.turns:
            if len(people) == 2:
                out.append(people[1] if turn.speaker == people[0] else people[0])
            else:
                if previous is not None and previous != turn.speaker:
                    last_other[turn.speaker] = previous
                out.append(last_other.get(turn.speaker))
            previous = turn.speaker
        return out


def _validation_detail(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"{where}: {first['msg']}" + (f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else "")


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise InputError(str(path), f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}") from exc
    except OSError as exc:
        raise InputError(str(path), f"cannot be read: {exc.strerror or exc}") from exc


def chat_from_json(data: Any, default_uri: str) -> Chat:
    """Build a chat from our chat-JSON layout (already parsed).

    Raises:
        InputError: when the layout or a turn is invalid (the message names the turn).
    """
    uri = default_uri
    turns = data
    if isinstance(data, dict):
        uri = str(data.get("id") or data.get("uri") or default_uri)
        turns = data.get("turns")
    if not isinstance(turns, list):
        raise InputError(default_uri, 'expected a list of turns or an object with "turns"')
    prepared = []
    for k, turn in enumerate(turns, start=1):
        if not isinstance(turn, dict):
            raise InputError(default_uri, f"turn {k}: expected an object, got {type(turn).__name__}")
        prepared.append({"turn_id": str(k), **turn} if "turn_id" not in turn else turn)
    try:
        return Chat(uri=uri, turns=prepared)
    except ValidationError as exc:
        raise InputError(default_uri, _validation_detail(exc)) from exc


def load_chat(path: Path) -> Chat:
    """Read one chat-JSON file.

    Raises:
        InputError: when the file cannot be read or is not valid chat JSON.
    """
    return chat_from_json(_read_json(path), path.resolve().as_uri())


_SESSION = re.compile(r"^session_(\d+)$")


def _session_time(text: object, where: str) -> datetime | None:
    if not isinstance(text, str) or not text.strip():
        return None
    moment = parse_date(text, languages=["en"])
    if moment is None:
        raise InputError(where, f"cannot read the session time {text!r}")
    return moment


def chats_from_locomo(data: Any, source: str) -> list[Chat]:
    """Build one chat per LoCoMo sample (already parsed JSON).

    Returns:
        chats with ``uri`` = ``locomo:{sample_id}``, turns in session order.

    Raises:
        InputError: when the layout is not LoCoMo's (the message names sample and session).
    """
    if not isinstance(data, list):
        raise InputError(source, "expected a list of LoCoMo samples")
    chats = []
    for n, sample in enumerate(data):
        if not isinstance(sample, dict) or not isinstance(sample.get("conversation"), dict):
            raise InputError(source, f"sample {n}: no 'conversation' object")
        sample_id = str(sample.get("sample_id") or n)
        conversation = sample["conversation"]
        sessions = sorted((int(m.group(1)), key) for key in conversation if (m := _SESSION.match(key)))
        turns = []
        for _, key in sessions:
            where = f"{source} sample {sample_id} {key}"
            when = _session_time(conversation.get(f"{key}_date_time"), where)
            for k, turn in enumerate(conversation[key]):
                if not isinstance(turn, dict) or not {"speaker", "dia_id", "text"} <= turn.keys():
                    raise InputError(where, f"turn {k}: needs speaker, dia_id and text")
                if str(turn["text"]).strip():
                    turns.append({"speaker": turn["speaker"], "text": turn["text"], "turn_id": turn["dia_id"],
                                  "timestamp": when})  # fmt: skip
        try:
            chats.append(Chat(uri=f"locomo:{sample_id}", turns=turns))
        except ValidationError as exc:
            raise InputError(f"{source} sample {sample_id}", _validation_detail(exc)) from exc
    return chats


def load_locomo(path: Path, samples: list[str] | None = None) -> list[Chat]:
    """Read a LoCoMo JSON file; ``samples`` keeps only those sample ids (e.g. ``["conv-26"]``).

    Raises:
        InputError: when the file cannot be read, is not LoCoMo, or a requested sample is missing.
    """
    chats = chats_from_locomo(_read_json(path), str(path))
    if samples is None:
        return chats
    wanted = {f"locomo:{s}" for s in samples}
    missing = wanted - {c.uri for c in chats}
    if missing:
        raise InputError(str(path), f"no such sample: {', '.join(sorted(missing))}")
    return [c for c in chats if c.uri in wanted]
