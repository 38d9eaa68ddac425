"""A small, real memory graph for the dashboard tests, written through GraphStore.write_cubes.

Alice's notes on an orchard cooperative (a document and a chat turn) become plaintext cubes
with entities and facts whose evidence offsets point into the cube text; the scheduler's own
Cypher (:mod:`memcubedb.cypher.scheduler`) then links a promotion to activation memory, an
encoding into a LoRA adapter and a demotion back to plaintext. Mallory owns one cube Alice
may not read. ``crowd`` adds many cubes mentioning one entity, to test the bounds.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from memcubedb.cube import (
    Descriptive,
    Governance,
    KVTemplatePayload,
    LifecycleState,
    LoRAAdapterPayload,
    MemCube,
    MemoryType,
    PlaintextPayload,
)
from memcubedb.cypher import scheduler as sq
from memcubedb.graph.records import (
    ActivityRecord,
    AgentRecord,
    CubeWrite,
    EntityRecord,
    FactRecord,
    SourceRecord,
    content_hash,
    stable_id,
)
from memcubedb.graph.store import GraphStore

OWNER = "alice"
DOC_URI = "doc://notes/orchard-cooperative.md"
CHAT_URI = "chat://session-7"
READER = AgentRecord(id="agent:memreader", kind="software", name="MemReader")
SCHEDULER = AgentRecord(id="agent:memscheduler", kind="software", name="MemScheduler")
T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

DOCUMENT = (
    "Mira Okafor founded the Larkspur Orchard Cooperative in Tullow in 2019. "
    "She is the chair of the cooperative.\n\n"
    "The cooperative grows heritage apples on forty hectares. Its cider press is in an old creamery.\n\n"
    "Tomas Reyes is the head grower. He manages the grafting programme."
)
CHAT_TURN = "Eoin Okafor runs the cider stall at the Tullow tasting day."

# (paragraph index, facts as (subject, predicate, object, evidence substring))
DOC_FACTS: list[list[tuple[str, str, str, str]]] = [
    [("Mira Okafor", "founded", "Larkspur Orchard Cooperative", "Mira Okafor founded the Larkspur Orchard Cooperative"),
     ("Larkspur Orchard Cooperative", "located_in", "Tullow", "Cooperative in Tullow"),
     ("Mira Okafor", "chair_of", "Larkspur Orchard Cooperative", "She is the chair of the cooperative")],
    [("Larkspur Orchard Cooperative", "grows", "heritage apples", "grows heritage apples")],
    [("Tomas Reyes", "head_grower_of", "Larkspur Orchard Cooperative", "Tomas Reyes is the head grower"),
     ("Tomas Reyes", "manages", "grafting programme", "He manages the grafting programme")],
]
CHAT_FACTS = [("Eoin Okafor", "runs", "cider stall", "Eoin Okafor runs the cider stall"),
              ("cider stall", "located_in", "Tullow", "at the Tullow tasting day")]
ENTITY_TYPES = {"Mira Okafor": "PER", "Tomas Reyes": "PER", "Eoin Okafor": "PER", "Tullow": "LOC",
                "Larkspur Orchard Cooperative": "ORG"}


@dataclass
class Seeded:
    """Ids of what :func:`seed` wrote, by role."""

    founding: str = ""
    grower: str = ""
    chat: str = ""
    template: str = ""
    chat_template: str = ""
    adapter: str = ""
    demoted_adapter: str = ""
    recovered: str = ""
    secret: str = ""
    facts: dict[str, str] = field(default_factory=dict)


def entity(name: str) -> EntityRecord:
    """The entity record for a name (id derived from the folded name)."""
    return EntityRecord(id=stable_id("entity", name.casefold()), name=name, type=ENTITY_TYPES.get(name, "OTHER"))


def _plaintext(text: str, source: SourceRecord, facts: list[tuple[str, str, str, str]], created: datetime,
               owner: str = OWNER, tags: list[str] | None = None) -> CubeWrite:
    cube = MemCube(
        descriptive=Descriptive(id=stable_id("cube", source.id, content_hash(text)), created_at=created,
                                updated_at=created, source_signature=source.content_hash,
                                semantic_type=source.kind, tags=tags or []),
        governance=Governance(owner=owner),
        payload=PlaintextPayload(text=text),
    )
    entities: dict[str, EntityRecord] = {}
    records = []
    for s, p, o, evidence in facts:
        se, oe = entity(s), entity(o)
        entities[se.id], entities[oe.id] = se, oe
        start = text.index(evidence)
        records.append(FactRecord(id=stable_id("fact", se.id, p, oe.id), subject_id=se.id, predicate=p,
                                  object_id=oe.id, confidence=0.9, start=start, end=start + len(evidence)))
    activity = ActivityRecord(id=stable_id("activity", "read", source.id), kind="extraction", name="MemReader",
                              started_at=created, ended_at=created)
    return CubeWrite(cube=cube, source=source, activity=activity, agent=READER,
                     entities=list(entities.values()), facts=records)


def _document_writes() -> list[CubeWrite]:
    writes, offset = [], 0
    doc_hash = content_hash(DOCUMENT)
    for i, para in enumerate(DOCUMENT.split("\n\n")):
        start = DOCUMENT.index(para, offset)
        offset = start + len(para)
        source = SourceRecord(id=stable_id("source", DOC_URI, str(start)), kind="document", uri=DOC_URI,
                              content_hash=doc_hash, start=start, end=offset)
        writes.append(_plaintext(para, source, DOC_FACTS[i], T0 + timedelta(days=i), tags=["orchard"]))
    return writes


def _chat_write() -> CubeWrite:
    source = SourceRecord(id=stable_id("source", CHAT_URI, "turn-3"), kind="chat_turn", uri=CHAT_URI,
                          turn_id="turn-3", speaker="alice", timestamp=T0 + timedelta(days=5),
                          content_hash=content_hash(CHAT_TURN), start=0, end=len(CHAT_TURN))
    return _plaintext(CHAT_TURN, source, CHAT_FACTS, T0 + timedelta(days=5), tags=["chat"])


def _derived(payload: KVTemplatePayload | LoRAAdapterPayload | PlaintextPayload, kind: str, name: str,
             at: datetime, score: float | None, parents: list[str], state: LifecycleState) -> CubeWrite:
    mtype = MemoryType(payload.kind)
    cube = MemCube(
        descriptive=Descriptive(id=stable_id("cube", kind, name), memory_type=mtype, created_at=at, updated_at=at,
                                semantic_type=kind),
        governance=Governance(owner=OWNER, state=state),
        payload=payload,
    )
    params = {"score": f"{score:.2f}"} if score is not None else {}
    activity = ActivityRecord(id=stable_id("activity", kind, name), kind=kind, name=name, started_at=at,
                              ended_at=at, params=params)
    return CubeWrite(cube=cube, activity=activity, agent=SCHEDULER, derived_from=parents)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _link(store: GraphStore, query: str, **params: object) -> None:
    with store.session() as s:
        s.execute_write(lambda tx: tx.run(query, **params).consume())


def seed(store: GraphStore) -> Seeded:
    """Write the orchard graph (plus Mallory's secret cube) and the scheduler's moves; return ids."""
    docs = _document_writes()
    chat = _chat_write()
    secret = _plaintext("Mallory plans Project Nightjar in secret.",
                        SourceRecord(id=stable_id("source", "doc://mallory"), kind="document", uri="doc://mallory",
                                     content_hash=_sha("m"), start=0, end=41),
                        [("Mallory", "plans", "Project Nightjar", "Mallory plans Project Nightjar")],
                        T0, owner="mallory")
    store.write_cubes([*docs, chat, secret])
    ids = Seeded(founding=docs[0].cube.id, grower=docs[2].cube.id, chat=chat.cube.id, secret=secret.cube.id)
    ids.facts = {f.predicate: f.id for w in [*docs, chat] for f in w.facts}

    promoted_at = T0 + timedelta(days=10)
    template = _derived(
        KVTemplatePayload(text=docs[0].cube.text, model_id="tiny-llama-test", layers=2,
                          token_count=31, sha256=_sha("kv")),
        "promotion", "kv-template", promoted_at, 0.87, [docs[0].cube.id], LifecycleState.ACTIVATED)
    store.write_cubes([template])
    _link(store, sq.LINK_PROMOTION, source_id=docs[0].cube.id, template_id=template.cube.id, score=0.87,
          now=promoted_at)
    store.set_state(OWNER, docs[0].cube.id, LifecycleState.ACTIVATED, promoted_at)  # as MemScheduler.promote does
    ids.template = template.cube.id

    encoded = [ids.facts["founded"], ids.facts["head_grower_of"]]
    adapter = _derived(
        LoRAAdapterPayload(base_model="tiny-llama-test", rank=4, facts_encoded=encoded, sha256=_sha("lora")),
        "encoding", "lora-adapter", T0 + timedelta(days=12), 0.74, [], LifecycleState.ACTIVATED)
    old_adapter = _derived(
        LoRAAdapterPayload(base_model="tiny-llama-test", rank=4, facts_encoded=[ids.facts["manages"]],
                           sha256=_sha("old-lora")),
        "encoding", "old-lora-adapter", T0 + timedelta(days=6), 0.61, [], LifecycleState.ACTIVATED)
    store.write_cubes([adapter, old_adapter])
    _link(store, sq.LINK_ENCODING, adapter_id=adapter.cube.id, fact_ids=encoded)
    _link(store, sq.LINK_ENCODING, adapter_id=old_adapter.cube.id, fact_ids=[ids.facts["manages"]])
    ids.adapter, ids.demoted_adapter = adapter.cube.id, old_adapter.cube.id

    demoted_at = T0 + timedelta(days=14)
    recovered = _derived(PlaintextPayload(text="Tomas Reyes manages the grafting programme."), "demotion",
                         "probe-recovered", demoted_at, 0.12, [old_adapter.cube.id], LifecycleState.GENERATED)
    store.write_cubes([recovered])
    _link(store, sq.LINK_DEMOTION, old_id=old_adapter.cube.id, new_id=recovered.cube.id, now=demoted_at,
          reason="idle for 30 days")
    store.set_state(OWNER, old_adapter.cube.id, LifecycleState.ARCHIVED, demoted_at)  # as demote_adapter does
    ids.recovered = recovered.cube.id

    chat_promoted_at = T0 + timedelta(days=8)
    chat_template = _derived(
        KVTemplatePayload(text=chat.cube.text, model_id="tiny-llama-test", layers=2, token_count=14,
                          sha256=_sha("chat-kv")),
        "promotion", "chat-kv-template", chat_promoted_at, 0.55, [chat.cube.id], LifecycleState.ACTIVATED)
    store.write_cubes([chat_template])
    _link(store, sq.LINK_PROMOTION, source_id=chat.cube.id, template_id=chat_template.cube.id, score=0.55,
          now=chat_promoted_at)
    store.set_state(OWNER, chat.cube.id, LifecycleState.ACTIVATED, chat_promoted_at)
    _link(store, sq.RECORD_SCORES, now=T0 + timedelta(days=16),
          rows=[{"id": chat_template.cube.id, "score": 0.15, "history": "[]"}])
    _link(store, sq.LINK_DEMOTION, old_id=chat_template.cube.id, new_id=chat.cube.id,
          now=T0 + timedelta(days=16), reason="score 0.15 below 0.20")
    _link(store, sq.RECORD_TEMPLATE_DEMOTION, template_id=chat_template.cube.id, activity_id="kv-demotion",
          now=T0 + timedelta(days=16), params='{"reason": "score 0.15 below 0.20"}',
          agent={"id": "agent:memscheduler", "kind": "software", "name": "MemScheduler"})  # as demote_template does
    store.set_state(OWNER, chat_template.cube.id, LifecycleState.ARCHIVED, T0 + timedelta(days=16))
    store.set_state(OWNER, chat.cube.id, LifecycleState.GENERATED, T0 + timedelta(days=16))  # as demote_template does
    ids.chat_template = chat_template.cube.id
    return ids


def crowd(store: GraphStore, n: int, entity_name: str = "Tullow") -> list[str]:
    """``n`` market-day notes, older than the orchard notes, that all mention one entity: a hub
    too large to show whole."""
    writes = []
    for i in range(n):
        text = f"Market day {i + 1} in {entity_name}: the cooperative sold {10 + i} crates of apples."
        source = SourceRecord(id=stable_id("source", "doc://market-log", str(i)), kind="document",
                              uri="doc://market-log.csv", content_hash=content_hash(text), start=0, end=len(text))
        writes.append(_plaintext(text, source, [(f"Market day {i + 1}", "held_in", entity_name,
                                                 f"Market day {i + 1} in {entity_name}")],
                                 T0 - timedelta(days=60) + timedelta(minutes=i), tags=["market"]))
    return store.write_cubes(writes)

