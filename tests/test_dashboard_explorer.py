"""The dashboard's bounded, permission-filtered graph views against a real Neo4j."""

from __future__ import annotations

from datetime import timedelta

import pytest

from memcubedb.cube import MemoryType
from memcubedb.graph.read_models.dashboard import GraphFilter
from memcubedb.graph.read_models.explorer import GraphExplorer
from memcubedb.graph.store import GraphStore, NotFound
from tests.e2e import data

ALL = GraphFilter()


@pytest.fixture
def seeded(store: GraphStore) -> data.Seeded:
    return data.seed(store)


def test_find_matches_text_and_entity_names_within_permissions(store: GraphStore, seeded: data.Seeded) -> None:
    explorer = GraphExplorer(store)
    hits = explorer.find("alice", "grafting", ALL)
    assert {h.id for h in hits} >= {seeded.grower, seeded.recovered}
    assert any(h.kind == "entity" and h.label == "grafting programme" for h in hits)
    assert explorer.find("alice", "Nightjar", ALL) == []
    assert [h.label for h in explorer.find("mallory", "Nightjar", ALL) if h.kind == "entity"] == ["Project Nightjar"]
    assert explorer.find("alice", 'grafting (programme" OR', ALL)  # Lucene syntax is escaped, not parsed


def test_neighbourhood_of_cube_has_entities_facts_and_lineage(store: GraphStore, seeded: data.Seeded) -> None:
    sub = GraphExplorer(store).neighbourhood("alice", [seeded.founding], ALL)
    names = {n.get("name") for n in sub.nodes if n["kind"] == "entity"}
    assert names == {"Mira Okafor", "Larkspur Orchard Cooperative", "Tullow"}
    ids = {n["id"] for n in sub.nodes}
    assert {seeded.template, seeded.adapter} <= ids  # promoted to a KV template, encoded into a LoRA adapter
    predicates = {e["predicate"] for e in sub.edges if e["type"] == "RELATES"}
    assert predicates == {"founded", "located_in", "chair_of"}
    assert {e["type"] for e in sub.edges} >= {"MENTIONS", "PROMOTED_TO", "ENCODES"}
    assert sub.omitted.model_dump() == {"cubes": 0, "entities": 0, "facts": 0, "edges": 0}


def test_secret_cube_never_appears(store: GraphStore, seeded: data.Seeded) -> None:
    explorer = GraphExplorer(store)
    sub = explorer.neighbourhood("alice", [seeded.secret, data.entity("Mallory").id], ALL)
    assert sub.nodes == [] and sub.edges == []
    overview = explorer.overview("alice", ALL, limit=200)
    assert seeded.secret not in {n["id"] for n in overview.nodes}
    assert "Project Nightjar" not in {n.get("name") for n in overview.nodes}
    with pytest.raises(NotFound):
        explorer.cube_detail("alice", seeded.secret)


def test_hub_is_cut_and_the_cut_is_counted(store: GraphStore, seeded: data.Seeded) -> None:
    data.crowd(store, 60)
    tullow = data.entity("Tullow").id
    sub = GraphExplorer(store).neighbourhood("alice", [tullow], ALL, limit=25)
    cubes = [n for n in sub.nodes if n["kind"] == "cube"]
    entities = [n for n in sub.nodes if n["kind"] == "entity" and n["id"] != tullow]
    assert len(sub.nodes) == 26
    # Tullow is mentioned by 60 market notes and 2 orchard cubes, and related by facts to 60 market
    # days, the cooperative and the cider stall; each kind gets about half of the room.
    assert (len(cubes), sub.omitted.cubes) == (13, 62 - 13)
    assert (len(entities), sub.omitted.entities) == (12, 62 - 12)
    assert entities[0]["name"] == "Larkspur Orchard Cooperative"  # the most mentioned entity first
    again = GraphExplorer(store).neighbourhood("alice", [tullow], ALL, known=[n["id"] for n in sub.nodes], limit=25)
    assert not {n["id"] for n in again.nodes[1:]} & {n["id"] for n in sub.nodes}


def test_filters_by_type_state_time_and_source(store: GraphStore, seeded: data.Seeded) -> None:
    explorer = GraphExplorer(store)

    def cube_ids(gf: GraphFilter) -> set[str]:
        return {n["id"] for n in explorer.overview("alice", gf, limit=200).nodes if n["kind"] == "cube"}

    assert cube_ids(GraphFilter(memory_types=[MemoryType.PARAMETRIC])) == {seeded.adapter, seeded.demoted_adapter}
    assert seeded.demoted_adapter not in cube_ids(GraphFilter(states=["generated", "activated"]))
    assert cube_ids(GraphFilter(source="session-7")) == {seeded.chat}
    assert cube_ids(GraphFilter(created_to=data.T0 + timedelta(hours=1))) == {seeded.founding}


def test_timeline_lists_moves_with_scores(store: GraphStore, seeded: data.Seeded) -> None:
    tl = GraphExplorer(store).timeline("alice", ALL)
    assert [e.kind for e in tl.events] == ["demotion", "demotion", "encoding", "promotion", "promotion", "encoding"]
    template_demotion, adapter_demotion, _, promotion = tl.events[:4]
    assert promotion.score == pytest.approx(0.87)
    assert [(m["from_type"], m["to_type"], m["score"]) for m in promotion.moves] == [("plaintext", "activation", 0.87)]
    assert [(m["from_id"], m["to_id"], m["reason"]) for m in template_demotion.moves] == [
        (seeded.chat_template, seeded.chat, "score 0.15 below 0.20")]
    assert template_demotion.score == pytest.approx(0.15)  # the scheduler's score of the demoted template
    assert [(m["from_type"], m["to_type"]) for m in adapter_demotion.moves] == [("parametric", "plaintext")]
    assert adapter_demotion.moves[0]["reason"] == "idle for 30 days"
    encoding = tl.events[2]
    assert {m["from_id"] for m in encoding.moves} == {seeded.founding, seeded.grower}
    assert tl.omitted == 0
    assert GraphExplorer(store).timeline("alice", ALL, limit=2).omitted == 4
    assert GraphExplorer(store).timeline("mallory", ALL).events == []


def test_cube_detail_chain_reaches_the_source(store: GraphStore, seeded: data.Seeded) -> None:
    detail = GraphExplorer(store).cube_detail("alice", seeded.template)
    assert detail.cube["descriptive"]["memory_type"] == "activation"
    assert [(s["id"], s["relation"]) for s in detail.chain] == [(seeded.template, None),
                                                                 (seeded.founding, "PROMOTED_TO")]
    source = detail.chain[1]["sources"][0]
    assert source["uri"] == data.DOC_URI and (source["start"], source["end"]) == (0, data.DOCUMENT.index("\n\n"))
    founding = GraphExplorer(store).cube_detail("alice", seeded.founding)
    spans = {e["predicate"]: founding.cube["payload"]["text"][e["start"]:e["end"]] for e in founding.evidence}
    assert spans["chair_of"] == "She is the chair of the cooperative"
    adapter = GraphExplorer(store).cube_detail("alice", seeded.adapter)
    assert {s["id"] for s in adapter.chain if s["relation"] == "ENCODES"} == {seeded.founding, seeded.grower}


def test_versions_both_ways(store: GraphStore, seeded: data.Seeded) -> None:
    v2 = store.update_cube("alice", seeded.chat, text="Eoin Okafor runs the cider stall every October.")
    explorer = GraphExplorer(store)
    for cid in (seeded.chat, v2.id):
        versions = explorer.cube_detail("alice", cid).versions
        assert [(v["id"], v["version"]) for v in versions] == [(v2.id, 2), (seeded.chat, 1)]
