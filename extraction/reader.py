"""MemReader (MemOS's interface layer): documents and chats → plaintext MemCubes with provenance.

Each input unit (a document chunk, a chat turn) becomes one :class:`CubeWrite`:

* a plaintext :class:`MemCube` whose id is ``stable_id("cube", source id, content hash)``;
* its ``Source`` (W3C PROV ``prov:Entity``): document URI + character offsets, or chat URI +
  ``turn_id`` + speaker + timestamp, with the text's sha256;
* the extraction ``Activity`` (``prov:Activity``, kind ``extraction``, pipeline name and
  version) and the pipeline's ``Agent`` (``prov:Agent``);
* resolved entities, facts (with confidence, negation and validity) and the entity merges made.

All ids are stable, so reading the same input twice yields identical records and the store
skips cubes it already holds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from memcubedb.config.extraction import ExtractionConfig
from memcubedb.cube import Descriptive, Governance, MemCube, MemoryType, PlaintextPayload
from memcubedb.extraction.chats import Chat
from memcubedb.extraction.documents import Document, chunk_document, mask_markdown
from memcubedb.extraction.resolution import EntityResolver
from memcubedb.extraction.temporal import as_utc
from memcubedb.extraction.triples import Extraction, Extractor, Mention, TextUnit
from memcubedb.graph.records import (
    ActivityRecord,
    AgentRecord,
    CubeWrite,
    EntityRecord,
    FactRecord,
    MergeRecord,
    SourceRecord,
    content_hash,
    stable_id,
)
from memcubedb.turns import speaker_text

MEMREADER_VERSION = "0.1.0"


@dataclass(frozen=True, slots=True)
class ReadUnit:
    """One unit to read, with everything its records need besides the extraction."""

    unit: TextUnit
    text: str
    source: SourceRecord
    semantic_type: str
    tags: tuple[str, ...]
    #: where ``unit.text`` (what the extractor reads) starts inside ``text`` (the memory text);
    #: fact offsets move by it
    offset: int = 0


def make_extractor(config: ExtractionConfig) -> Extractor:
    """The extractor named by ``config.extractor`` (``spacy`` or ``llm``).

    Raises:
        PipelineNotFoundError: for ``spacy`` when no configured pipeline is installed.
    """
    if config.extractor == "llm":
        from memcubedb.extraction.llm import LLMExtractor

        return LLMExtractor(config.llm)
    from memcubedb.extraction.spacy_extractor import SpacyExtractor

    return SpacyExtractor(config)


def document_units(document: Document, chunk_chars: int) -> list[ReadUnit]:
    """A document's chunks as units (Markdown masked for extraction, offsets unchanged).

    Raises:
        InputError: when the document holds no text.
    """
    masked = mask_markdown(document.text) if document.format == "markdown" else document.text
    stamp = as_utc(document.timestamp) if document.timestamp else None
    units = []
    for chunk in chunk_document(document, chunk_chars):
        digest = content_hash(chunk.text)
        source = SourceRecord(
            id=stable_id("source", document.uri, f"{chunk.start}:{chunk.end}"), kind="document", uri=document.uri,
            timestamp=stamp, content_hash=digest, start=chunk.start, end=chunk.end,
        )  # fmt: skip
        unit = TextUnit(
            text=masked[chunk.start : chunk.end], timestamp=stamp, context_id=document.uri,
            opens_context=chunk.index == 0,
        )  # fmt: skip
        units.append(ReadUnit(unit, chunk.text, source, "document_chunk", ("document", document.format)))
    return units


def chat_units(chat: Chat, speaker_prefix: bool = True) -> list[ReadUnit]:
    """A chat's turns as units (speaker and addressee attached for pronoun resolution).

    Each source carries ``seq`` = the turn's 0-based position in the chat (turn order for the
    neighbouring-turn search channel). With ``speaker_prefix`` the memory text is
    :func:`speaker_text`; the extractor still reads the bare turn text and fact offsets are
    moved into the prefixed text. The source's hash and offsets are those of the turn text.
    """
    units = []
    for k, (turn, addressee) in enumerate(zip(chat.turns, chat.addressees(), strict=True)):
        stamp = as_utc(turn.timestamp) if turn.timestamp else None
        source = SourceRecord(
            id=stable_id("source", chat.uri, turn.turn_id), kind="chat_turn", uri=chat.uri, turn_id=turn.turn_id,
            speaker=turn.speaker, timestamp=stamp, content_hash=content_hash(turn.text), start=0, end=len(turn.text),
            seq=k,
        )  # fmt: skip
        unit = TextUnit(
            text=turn.text, timestamp=stamp, speaker=turn.speaker, addressee=addressee, context_id=chat.uri,
            opens_context=k == 0,
        )  # fmt: skip
        text = speaker_text(turn.speaker, turn.text) if speaker_prefix else turn.text
        tags = ("chat", f"speaker:{turn.speaker}")
        units.append(ReadUnit(unit, text, source, "chat_turn", tags, offset=len(text) - len(turn.text)))
    return units


class MemReader:
    """Turns documents and chats into :class:`CubeWrite` records.

    Args:
        config: extraction settings (default: ``ExtractionConfig()``).
        extractor: override the extractor (default: :func:`make_extractor` of ``config``).
        resolver: override the entity resolver; give it a lookup
            (:class:`memcubedb.graph.entity_lookup.GraphEntityLookup`) to resolve against the
            entities the owner may read.
        owner: principal id owning the cubes (default: ``config.default_owner``).
    """

    def __init__(
        self, config: ExtractionConfig | None = None, *, extractor: Extractor | None = None,
        resolver: EntityResolver | None = None, owner: str | None = None,
    ) -> None:  # fmt: skip
        self.config = config or ExtractionConfig()
        self.extractor = extractor if extractor is not None else make_extractor(self.config)
        self.resolver = resolver if resolver is not None else EntityResolver(self.config.resolution)
        self.owner = owner or self.config.default_owner
        self.agent = AgentRecord(
            id=stable_id("agent", "memreader", self.extractor.name, self.extractor.version), kind="software",
            name=f"MemReader {MEMREADER_VERSION} ({self.extractor.name}: {self.extractor.version})",
        )  # fmt: skip

    def units(self, items: Iterable[Document | Chat]) -> Iterator[ReadUnit]:
        """Every unit of ``items`` in reading order.

        Raises:
            InputError: when a document holds no text.
        """
        for item in items:
            if isinstance(item, Chat):
                yield from chat_units(item, self.config.speaker_prefix)
            else:
                yield from document_units(item, self.config.chunk_chars)

    def activity(self, uri: str) -> ActivityRecord:
        """The extraction activity for one input (stable per pipeline and input URI)."""
        return ActivityRecord(
            id=stable_id("activity", "extraction", self.agent.id, uri), kind="extraction",
            name=f"MemReader {self.extractor.name} extraction",
            params={"extractor": self.extractor.name, "pipeline": self.extractor.version,
                    "memreader": MEMREADER_VERSION, "uri": uri},
        )  # fmt: skip

    def read(self, items: Iterable[Document | Chat]) -> Iterator[CubeWrite]:
        """One CubeWrite per unit of ``items``, streamed in batches of ``spacy_batch_size``."""
        yield from self.read_units(self.units(items))

    def read_units(self, units: Iterable[ReadUnit]) -> Iterator[CubeWrite]:
        """One CubeWrite per unit. All units stream through one extractor call (one ``nlp.pipe``,
        so worker processes start once); results are resolved in batches of ``spacy_batch_size``
        (one embedding call per batch for the names the embedding stage may need)."""
        activities: dict[str, ActivityRecord] = {}
        waiting: deque[ReadUnit] = deque()

        def feed() -> Iterator[TextUnit]:
            for read_unit in units:
                waiting.append(read_unit)
                yield read_unit.unit

        batch: list[tuple[ReadUnit, Extraction]] = []
        for extraction in self.extractor.extract(feed()):
            batch.append((waiting.popleft(), extraction))
            if len(batch) >= self.config.spacy_batch_size:
                yield from self._records(batch, activities)
                batch = []
        if batch:
            yield from self._records(batch, activities)

    def _records(
        self, batch: list[tuple[ReadUnit, Extraction]], activities: dict[str, ActivityRecord]
    ) -> list[CubeWrite]:
        self.resolver.prepare(m for _, e in batch for m in _all_mentions(e))
        writes = []
        for read_unit, extraction in batch:
            uri = read_unit.source.uri
            activity = activities.setdefault(uri, self.activity(uri))
            writes.append(self._write(read_unit, extraction, activity))
        return writes

    def _write(self, read_unit: ReadUnit, extraction: Extraction, activity: ActivityRecord) -> CubeWrite:
        # Each entity is written with the names THIS text uses for it (first name, then aliases):
        # they go on the cube's MENTIONS edge, the only names readers of the cube are shown.
        entities: dict[str, EntityRecord] = {}
        merges: dict[tuple[str, str], MergeRecord] = {}
        ids: dict[tuple[int, str], str] = {}
        for mention in _all_mentions(extraction):
            key = (mention.start, mention.name)
            if key in ids:
                continue
            found = self.resolver.resolve(mention)
            ids[key] = found.entity.id
            known = entities.get(found.entity.id)
            if known is None:
                entities[found.entity.id] = found.entity.model_copy(update={"name": mention.name, "aliases": []})
            elif mention.name != known.name and mention.name not in known.aliases:
                entities[found.entity.id] = known.model_copy(update={"aliases": [*known.aliases, mention.name]})
            if found.merge is not None:
                merges.setdefault((found.merge.alias, found.merge.entity_id), found.merge)
        facts: dict[str, FactRecord] = {}
        for t in extraction.triples:
            if t.confidence < self.config.confidence.floor:
                continue  # below the rules' floor (ExtractionConfig.confidence.floor): not written
            s_id, o_id = ids[(t.subject.start, t.subject.name)], ids[(t.object.start, t.object.name)]
            if s_id == o_id:
                continue
            when = t.valid_from.isoformat() if t.valid_from else ""
            fid = stable_id("fact", s_id, t.predicate, o_id, "negated" if t.negated else "affirmed", when)
            fact = FactRecord(
                id=fid, subject_id=s_id, predicate=t.predicate, object_id=o_id, confidence=t.confidence,
                negated=t.negated, valid_from=t.valid_from, start=t.start + read_unit.offset,
                end=t.end + read_unit.offset, object_value=t.object_value, datatype=t.datatype, unit=t.unit,
            )  # fmt: skip
            if fid not in facts or facts[fid].confidence < fact.confidence:
                facts[fid] = fact
        source = read_unit.source
        cube = MemCube(
            descriptive=Descriptive(
                id=stable_id("cube", source.id, source.content_hash), memory_type=MemoryType.PLAINTEXT,
                source_signature=source.content_hash, semantic_type=read_unit.semantic_type,
                tags=list(read_unit.tags),
            ),
            governance=Governance(owner=self.owner),
            payload=PlaintextPayload(text=read_unit.text),
        )  # fmt: skip
        return CubeWrite(
            cube=cube, source=source, activity=activity, agent=self.agent, entities=list(entities.values()),
            facts=list(facts.values()), merges=list(merges.values()),
        )  # fmt: skip


def _all_mentions(extraction: Extraction) -> Iterator[Mention]:
    yield from extraction.mentions
    for t in extraction.triples:
        yield t.subject
        yield t.object
