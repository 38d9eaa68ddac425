"""Inputs: document chunking with offsets, Markdown masking, chat JSON and LoCoMo loaders."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from memcubedb.extraction.chats import Chat, ChatTurn, chat_from_json, load_locomo
from memcubedb.extraction.documents import Document, chunk_document, mask_markdown
from memcubedb.extraction.errors import InputError
from memcubedb.extraction.inputs import load_path, load_paths

LOCOMO = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "locomo-dev.json"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def test_chunks_are_slices_of_the_document() -> None:
    text = "# Title\n\nFirst paragraph. It has two sentences.\n\n\nSecond paragraph here.\n"
    chunks = chunk_document(Document(uri="doc:1", text=text, format="markdown"), max_chars=200)
    assert [c.text for c in chunks] == ["# Title\n\nFirst paragraph. It has two sentences.", "Second paragraph here."]
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text


def test_long_paragraphs_split_at_sentences_then_words() -> None:
    sentence = "Mira planted twelve rows of heritage apple trees beside the old creamery wall. "
    text = sentence * 6 + "x" * 130
    chunks = chunk_document(Document(uri="doc:2", text=text), max_chars=120)
    assert all(len(c.text) <= 120 for c in chunks)
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert "".join(c.text for c in chunks).replace(" ", "") == text.replace(" ", "")


def test_markdown_masking_keeps_offsets() -> None:
    text = "## Notes\n- **Mira** met [Tomas](https://example.org/t) in `Tullow`.\n"
    masked = mask_markdown(text)
    assert len(masked) == len(text)
    assert "#" not in masked and "*" not in masked and "https" not in masked and "`" not in masked
    assert masked[text.index("Mira")] == "M" and masked[text.index("Tomas")] == "T"


def test_an_empty_document_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.md"
    path.write_text("  \n\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        load_path(path)


def test_non_utf8_text_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\xe9 au lait".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        load_path(path)


def test_chat_json_loads_with_defaults() -> None:
    turns = [{"speaker": "Ann", "text": "Hi"}, {"speaker": "Bea", "text": "Hello", "timestamp": "2024-05-01T10:00:00"}]
    chat = chat_from_json(turns, "chat:x")
    assert [t.turn_id for t in chat.turns] == ["1", "2"]
    assert chat.turns[1].timestamp == datetime(2024, 5, 1, 10, 0)
    assert chat.addressees() == ["Bea", "Ann"]


def test_chat_json_errors_name_the_turn() -> None:
    with pytest.raises(InputError, match=r"turns\.1\.text"):
        chat_from_json({"turns": [{"speaker": "Ann", "text": "ok"}, {"speaker": "Bea", "text": ""}]}, "chat:y")
    with pytest.raises(InputError, match="turn_id values repeat: a"):
        chat_from_json([{"speaker": "A", "text": "x", "turn_id": "a"}, {"speaker": "B", "text": "y", "turn_id": "a"}],
                       "chat:z")  # fmt: skip
    with pytest.raises(InputError, match="turn 1: expected an object"):
        chat_from_json(["just text"], "chat:w")


def test_invalid_json_file_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"turns": [\n  {"speaker": "A",, "text": "x"}]}', encoding="utf-8")
    with pytest.raises(InputError, match="line 2"):
        load_path(path)


def test_one_bad_file_fails_the_whole_load(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Mira lives in Tullow.", encoding="utf-8")
    with pytest.raises(InputError, match="no such file"):
        load_paths([good, tmp_path / "missing.txt"])


def test_addressee_in_a_group_chat_is_the_last_other_speaker() -> None:
    turns = [ChatTurn(speaker=s, text="x", turn_id=str(k)) for k, s in enumerate(["A", "B", "C", "A"])]
    assert Chat(uri="chat:g", turns=turns).addressees() == [None, "A", "B", "C"]


def test_samples_load_by_suffix() -> None:
    items = load_paths(sorted(SAMPLES.glob("*.md")) + sorted(SAMPLES.glob("*.json")))
    kinds = {type(i).__name__ for i in items}
    assert kinds == {"Document", "Chat"}


@pytest.mark.skipif(not LOCOMO.is_file(), reason=f"LoCoMo dev file not found at {LOCOMO}")
def test_locomo_sessions_become_turns_with_dia_ids_and_session_times() -> None:
    (chat,) = load_locomo(LOCOMO, ["conv-26"])
    raw = json.loads(LOCOMO.read_text(encoding="utf-8"))
    conversation = next(s for s in raw if s["sample_id"] == "conv-26")["conversation"]
    first = conversation["session_1"][0]
    assert chat.uri == "locomo:conv-26"
    assert (chat.turns[0].turn_id, chat.turns[0].speaker, chat.turns[0].text) == (
        first["dia_id"], first["speaker"], first["text"])  # fmt: skip
    assert chat.turns[0].timestamp == datetime(2023, 5, 8, 13, 56)  # "1:56 pm on 8 May, 2023"
    expected = sum(len(v) for k, v in conversation.items() if k.startswith("session_") and isinstance(v, list))
    assert len(chat.turns) == expected
    assert chat.participants == [conversation["speaker_a"], conversation["speaker_b"]]
    with pytest.raises(InputError, match="no such sample"):
        load_locomo(LOCOMO, ["conv-999"])
