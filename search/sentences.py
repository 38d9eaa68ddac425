"""Sentence vectors: each sentence of a multi-sentence memory embedded on its own.

A chat turn or chunk often says several things ("Hey Audrey! What's up? Last weekend we went
fishing..."), and one embedding of the whole text blurs them. The vector channel therefore also
searches a second index of sentence embeddings and scores a cube by its best match, whole text
or single sentence — the "MaxP" passage aggregation of Dai & Callan, "Deeper Text
Understanding for IR with Contextual Neural Language Modeling", SIGIR 2019. On the LoCoMo dev
set this lifts dense recall@10 from 0.486 to 0.574 (``bench/locomo.py --recipes vector,sentences``).

Sentences are found by spaCy's rule-based ``sentencizer`` on a blank English pipeline (no
model, punctuation rules only); single-sentence texts get no sentence vectors, since their
cube embedding already is one. A chat turn's sentences are embedded with its speaker in front
(``"<speaker>: <sentence>"``, as the turn's own memory text begins), so that a sentence stays
about someone — the idea of contextual chunk headers in retrieval-augmented generation. In an
offline ablation on the LoCoMo dev set, sentences without the speaker lost what they gained
(fused recall@10 0.703 without it, 0.724 with it).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from memcubedb.embeddings import Embedder
from memcubedb.graph.records import CubeWrite, SentenceRecord, stable_id
from memcubedb.turns import speaker_text

if TYPE_CHECKING:
    from spacy.language import Language


@cache
def _segmenter() -> Language:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def sentence_spans(texts: Sequence[str]) -> list[list[tuple[int, int]]]:
    """The sentences of each text as ``(start, end)`` character offsets, whitespace trimmed.

    Returns:
        one list per text (``len(texts)`` lists), sentences in order; a text of one sentence
        gives one span, a blank text none.
    """
    out = []
    for doc in _segmenter().pipe(texts):
        spans = []
        for sent in doc.sents:
            chunk = sent.text
            if chunk.strip():
                start = sent.start_char + len(chunk) - len(chunk.lstrip())
                spans.append((start, sent.start_char + len(chunk.rstrip())))
        out.append(spans)
    return out


def _in_context(sentence: str, speaker: str | None) -> str:
    if not speaker:
        return sentence
    prefix = speaker_text(speaker, "")
    return sentence if sentence.startswith(prefix) else prefix + sentence


def embed_with_sentences(
    embedder: Embedder, ids: Sequence[str], texts: Sequence[str], speakers: Sequence[str | None]
) -> tuple[NDArray[np.float32], list[list[SentenceRecord]]]:
    """Embed each cube text and, for texts of two or more sentences, each sentence — in one
    embedder call.

    Args:
        ids: the cube ids (``n``), for the stable sentence ids.
        texts: the cube texts (``n``).
        speakers: who said each cube's text (chat turns), else ``None`` (``n``); a sentence not
            already starting with ``"<speaker>: "`` is embedded with it in front.

    Returns:
        ``[n, dim]`` cube embeddings and, per cube, its :class:`SentenceRecord` s (``[]`` for a
        single-sentence text).

    Raises:
        ValueError: ``ids``, ``texts`` and ``speakers`` differ in length.
        EmbeddingError: the embedder failed.
    """
    if not len(ids) == len(texts) == len(speakers):
        raise ValueError("ids, texts and speakers must have the same length")
    spans = [s if len(s) > 1 else [] for s in sentence_spans(texts)]
    pieces = [
        _in_context(text[a:b], speaker)
        for text, speaker, cube_spans in zip(texts, speakers, spans, strict=True)
        for a, b in cube_spans
    ]
    vectors = embedder.embed([*texts, *pieces])
    cube_vectors, rest = vectors[: len(texts)], iter(vectors[len(texts) :])
    sentences = [
        [
            SentenceRecord(
                id=stable_id("sentence", cube_id, str(a), str(b)),
                start=a,
                end=b,
                embedding=[float(x) for x in next(rest)],
            )
            for a, b in cube_spans
        ]
        for cube_id, cube_spans in zip(ids, spans, strict=True)
    ]
    return cube_vectors, sentences


def embed_writes(embedder: Embedder, writes: Sequence[CubeWrite]) -> None:
    """Give every write's cube (those with text) its embedding and sentence vectors, in place, with
    one embedder call for all of them — the step that makes a write vector-searchable.

    The graph store calls it on the cubes it is about to write (``GraphStore.write_cubes(...,
    prepare=...)``), inside the write's transaction, so cubes it skips as already stored are
    never embedded again.

    Args:
        writes: the cubes to write (``n``); a write's ``source.speaker`` puts the speaker in
            front of its sentences. A cube without text (a LoRA adapter) is left as it is.

    Raises:
        EmbeddingError: the embedder failed (nothing is written then: the caller's transaction fails).
    """
    texted = [w for w in writes if w.cube.text]
    if not texted:
        return
    vectors, sentences = embed_with_sentences(
        embedder,
        [w.cube.id for w in texted],
        [w.cube.text for w in texted],
        [w.source.speaker if w.source else None for w in texted],
    )
    for write, vector, parts in zip(texted, vectors, sentences, strict=True):
        write.cube.embedding = [float(x) for x in vector]
        write.sentences = parts
