"""Every write path leaves its cubes vector-searchable when it returns.

Each test writes a few unrelated memories, then the target through one write path, and searches
with a paraphrase that shares no content word with the target's text: only the vector channel
(embeddings written with the cube) can find it, and it must rank first there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from memcubedb.api.cli.main import app
from memcubedb.graph.records import InterchangeCube, InterchangeDocument
from memcubedb.graph.store import GraphStore
from tests.api_helpers import Keys
from tests.factories import cube_write

pytest_plugins = ["tests.api_fixtures"]

DISTRACTORS = [
    "The quarterly tax forms were filed with the accountant.",
    "Our hiking trip to the glacier was cancelled because of snow.",
    "The new printer on the third floor needs blue toner.",
]


def _write_distractors(client: TestClient, keys: Keys) -> None:
    for i, text in enumerate(DISTRACTORS):
        r = client.post("/v1/cubes", json={"text": text, "uri": f"test://distractor/{i}"}, headers=keys["bob"])
        assert r.status_code == 201, r.text


def _top_vector_hit(client: TestClient, keys: Keys, query: str) -> dict[str, Any]:
    r = client.post("/v1/search", json={"query": query, "k": 3, "recipe": "vector"}, headers=keys["bob"])
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert results, f"the vector channel found nothing for {query!r}"
    assert results[0]["channels"] == ["vector"]
    return results[0]


def _text(client: TestClient, keys: Keys) -> str:
    r = client.post("/v1/cubes", json={"text": "I met Zebulon at lunch yesterday."}, headers=keys["bob"])
    assert r.status_code == 201, r.text
    return r.json()["cubes"][0]["payload"]["text"]


def _document(client: TestClient, keys: Keys) -> str:
    body = {"uri": "doc://kitchen", "format": "markdown", "text": "# Kitchen\n\nThe espresso machine is broken again."}
    r = client.post("/v1/cubes/document", json=body, headers=keys["bob"])
    assert r.status_code == 201, r.text
    return r.json()["cubes"][0]["payload"]["text"]


def _chat(client: TestClient, keys: Keys) -> str:
    turns = [{"speaker": "Dana", "text": "My puppy chewed through the sofa cushions.", "turn_id": "1"}]
    r = client.post("/v1/cubes/chat", json={"uri": "chat://dana", "turns": turns}, headers=keys["bob"])
    assert r.status_code == 201, r.text
    return r.json()["cubes"][0]["payload"]["text"]


def _natural(client: TestClient, keys: Keys) -> str:
    body = {"text": "Remember that the violin lessons moved to Thursday evenings.", "execute": True}
    r = client.post("/v1/natural", json=body, headers=keys["bob"])
    assert r.status_code == 200, r.text
    (cube_id,) = r.json()["operations"][0]["cube_ids"]
    return client.get(f"/v1/cubes/{cube_id}", headers=keys["bob"]).json()["payload"]["text"]


def _import(client: TestClient, keys: Keys) -> str:
    write = cube_write("The gardeners planted tomatoes beside the greenhouse.", owner="bob", uri="test://import")
    document = InterchangeDocument(cubes=[InterchangeCube(**write.model_dump())])
    r = client.post("/v1/import", json=document.model_dump(mode="json"), headers=keys["bob"])
    assert r.status_code == 201, r.text
    return write.cube.text


def _edit(client: TestClient, keys: Keys) -> str:
    r = client.post("/v1/cubes", json={"text": "The staff meeting is in room four."}, headers=keys["bob"])
    cube_id = r.json()["cubes"][0]["id"]
    r = client.patch(f"/v1/cubes/{cube_id}", json={"text": "Our cat knocked the aquarium off the shelf."},
                     headers=keys["bob"])
    assert r.status_code == 200, r.text
    return r.json()["payload"]["text"]


PATHS: dict[str, tuple[Callable[[TestClient, Keys], str], str]] = {
    "POST /v1/cubes": (_text, "midday meal meeting"),
    "POST /v1/cubes/document": (_document, "coffee maker not working"),
    "POST /v1/cubes/chat": (_chat, "dog destroyed furniture"),
    "POST /v1/natural": (_natural, "music class schedule change"),
    "POST /v1/import": (_import, "vegetable growing by a glass house"),
    "PATCH /v1/cubes/{id}": (_edit, "pet broke the fish tank"),
}


@pytest.mark.parametrize("path", list(PATHS))
def test_write_path_is_vector_searchable_on_return(client: TestClient, keys: Keys, path: str) -> None:
    _write_distractors(client, keys)
    write, paraphrase = PATHS[path]
    text = write(client, keys)
    assert _top_vector_hit(client, keys, paraphrase)["text"] == text


def test_multi_sentence_write_has_sentence_vectors(client: TestClient, keys: Keys, store: GraphStore) -> None:
    text = "We repainted the fence on Sunday. Later my brother fixed the leaking tap in the bathroom."
    r = client.post("/v1/cubes", json={"text": text}, headers=keys["bob"])
    cube_id = r.json()["cubes"][0]["id"]
    rows = store.read("MATCH (s:Sentence)-[:PART_OF]->(:MemCube {id: $id}) RETURN count(s) AS n", id=cube_id)
    assert rows == [{"n": 2}]
    _write_distractors(client, keys)
    r = client.post("/v1/search", json={"query": "plumbing repair by a sibling", "k": 1, "recipe": "sentences"},
                    headers=keys["bob"])
    assert r.json()["results"][0]["cube_id"] == cube_id


def test_reingesting_embeds_nothing_again(client: TestClient, keys: Keys, store: GraphStore) -> None:
    body = {"text": "The lighthouse keeper retired last spring.", "uri": "test://same"}
    first = client.post("/v1/cubes", json=body, headers=keys["bob"])
    cube_id = first.json()["cubes"][0]["id"]
    before = store.read("MATCH (c:MemCube {id: $id}) RETURN c.embedding AS e", id=cube_id)[0]["e"]
    again = client.post("/v1/cubes", json=body, headers=keys["bob"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["skipped"] == [cube_id]
    assert store.read("MATCH (c:MemCube {id: $id}) RETURN c.embedding AS e", id=cube_id)[0]["e"] == before


def test_cli_ingest_is_vector_searchable(client: TestClient, keys: Keys, tmp_path: Path) -> None:
    _write_distractors(client, keys)
    note = tmp_path / "note.txt"
    note.write_text("The ferry to the island stops running after nine at night.")
    result = CliRunner().invoke(app, ["ingest", str(note), "--owner", "bob", "--quiet"])
    assert result.exit_code == 0, result.output
    assert _top_vector_hit(client, keys, "late boat service ends")["text"] == note.read_text()
