"""MemReader into a real Neo4j: LoCoMo turns become MemCubes with their dia_id; re-ingest is a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from memcubedb.api.cli.main import app
from memcubedb.config.extraction import ExtractionConfig
from memcubedb.extraction.chats import load_locomo
from memcubedb.extraction.errors import InputError
from memcubedb.extraction.ingest import ingest, ingest_paths
from memcubedb.graph.store import GraphStore

LOCOMO = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "locomo-dev.json"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
NODES = "MATCH (n) RETURN labels(n)[0] AS label, count(*) AS n ORDER BY label"
EDGES = "MATCH ()-[r]->() RETURN type(r) AS type, count(*) AS n ORDER BY type"
TURNS = """
MATCH (c:MemCube)-[:EXTRACTED_FROM]->(s:Source {uri: $uri})
RETURN s.turn_id AS turn_id, s.speaker AS speaker, c.text AS text, c.owner AS owner
"""
PROVENANCE = """
MATCH (c:MemCube)-[:EXTRACTED_FROM]->(s:Source {uri: $uri, turn_id: $turn_id})
MATCH (c)-[:GENERATED_BY]->(a:Activity)-[:ASSOCIATED_WITH]->(g:Agent), (c)-[:ATTRIBUTED_TO]->(g)
RETURN a.kind AS kind, a.params AS params, g.kind AS agent_kind
"""
FACTS = """
MATCH (s:Entity)<-[:SUBJECT]-(f:Fact)-[:OBJECT]->(o:Entity), (s)-[r:RELATES {fact_id: f.id}]->(o)
RETURN s.name AS subject, f.predicate AS predicate, o.name AS object, f.negated AS negated,
       r.predicate AS edge_predicate
"""


def snapshot(store: GraphStore) -> tuple[dict[str, int], dict[str, int]]:
    nodes = {r["label"]: r["n"] for r in store.read(NODES)}
    edges = {r["type"]: r["n"] for r in store.read(EDGES)}
    return nodes, edges


@pytest.mark.skipif(not LOCOMO.is_file(), reason=f"LoCoMo dev file not found at {LOCOMO}")
def test_locomo_conversation_ingests_once(store: GraphStore) -> None:
    (chat,) = load_locomo(LOCOMO, ["conv-26"])
    report = ingest(store, [chat], owner="eval", progress=False)
    assert report.units == report.cubes_written == len(chat.turns)
    assert report.facts > len(chat.turns)

    rows = store.read(TURNS, uri="locomo:conv-26")
    assert len(rows) == len(chat.turns)
    by_turn = {r["turn_id"]: r for r in rows}
    for turn in chat.turns:
        assert by_turn[turn.turn_id]["text"] == f"{turn.speaker}: {turn.text}"
        assert by_turn[turn.turn_id]["speaker"] == turn.speaker
        assert by_turn[turn.turn_id]["owner"] == "eval"
    (prov,) = store.read(PROVENANCE, uri="locomo:conv-26", turn_id="D1:3")
    assert prov["kind"] == "extraction" and prov["agent_kind"] == "software" and "en_ud_ewt_sm" in prov["params"]

    before = snapshot(store)
    assert before[0]["MemCube"] == before[0]["Source"] == len(chat.turns)
    again = ingest(store, [chat], owner="eval", progress=False)
    assert (again.cubes_written, again.cubes_skipped, again.facts) == (0, len(chat.turns), 0)
    assert snapshot(store) == before


def test_sample_files_ingest_with_facts_and_relates_edges(store: GraphStore) -> None:
    paths = [SAMPLES / "grafting-day-chat.json", SAMPLES / "cider-press-notes.md"]
    report = ingest_paths(store, paths, owner="demo", progress=False)
    assert report.cubes_written == 6 + 3
    facts = {(r["subject"], r["predicate"], r["object"], r["negated"]) for r in store.read(FACTS)}
    assert ("Mira", "nephew", "Ciaran", False) in facts
    assert ("Aoife", "work on", "Saturdays", True) in facts
    assert all(r["edge_predicate"] == r["predicate"] for r in store.read(FACTS))
    merged = store.read("MATCH (:Activity)-[m:MERGED]->(e:Entity) RETURN m.alias AS alias, e.name AS name")
    assert {"alias": "Eoin", "name": "Eoin Okafor"} in merged
    entity = store.read("MATCH (e:Entity {name: $name}) RETURN e.aliases AS aliases", name="Eoin Okafor")
    assert entity == [{"aliases": ["Eoin"]}]


def test_new_mentions_resolve_against_entities_already_in_the_graph(store: GraphStore) -> None:
    ingest_paths(store, [SAMPLES / "cider-press-notes.md"], progress=False)
    from memcubedb.extraction.chats import chat_from_json

    chat = chat_from_json([{"speaker": "Mira", "text": "Okafor sold the old cider press."}], "chat:later")
    ingest(store, [chat], config=ExtractionConfig(), progress=False)
    facts = {(r["subject"], r["predicate"], r["object"]) for r in store.read(FACTS)}
    assert ("Eoin Okafor", "sell", "old cider press") in facts


def test_bad_input_writes_nothing(store: GraphStore, tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[{"speaker": "A", "text": ""}]', encoding="utf-8")
    before = snapshot(store)
    with pytest.raises(InputError, match="text"):
        ingest_paths(store, [SAMPLES / "grafting-day-chat.json", broken], progress=False)
    assert snapshot(store) == before


def test_cli_ingest_and_reingest(store: GraphStore) -> None:
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(SAMPLES / "grafting-day-chat.json"), "--owner", "demo", "--quiet"])
    assert first.exit_code == 0, first.output
    assert "6 MemCubes written" in first.output
    second = runner.invoke(app, ["ingest", str(SAMPLES / "grafting-day-chat.json"), "--quiet"])
    assert second.exit_code == 0, second.output
    assert "0 MemCubes written, 6 already present" in second.output
    missing = runner.invoke(app, ["ingest", str(SAMPLES / "no-such-file.md")])
    assert missing.exit_code == 2 and "nothing was written" in missing.output
