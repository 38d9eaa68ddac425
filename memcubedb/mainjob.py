"""The README's main job: start the embedded-default Neo4j, load the shipped sample, show the graph."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

from memcubedb.cube import MemCube
from memcubedb.graph import server
from memcubedb.graph.records import ActivityRecord, AgentRecord, CubeWrite, SourceRecord, content_hash, stable_id
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
OWNER = "demo"


def _sample_writes(path: Path) -> list[CubeWrite]:
    text = path.read_text(encoding="utf-8")
    agent = AgentRecord(id="agent:memcubedb-sample-loader", kind="software", name="sample loader")
    activity = ActivityRecord(id=stable_id("activity", "sample", content_hash(text)), kind="import", name=path.name)
    writes, offset = [], 0
    for para in text.split("\n\n"):
        start = text.index(para, offset)
        offset = start + len(para)
        if not para.strip() or para.lstrip().startswith("#"):
            continue
        source = SourceRecord(
            id=stable_id("source", path.name, str(start)), kind="document", uri=f"sample://{path.name}",
            content_hash=content_hash(para), start=start, end=offset,
        )
        cube = MemCube.plaintext(para.strip(), owner=OWNER, id=stable_id("cube", source.id, source.content_hash),
                                 semantic_type="document")
        writes.append(CubeWrite(cube=cube, source=source, activity=activity, agent=agent))
    return writes


def main_job(settings: Settings, console: Console) -> None:
    """Start Neo4j (embedded default unless NEO4J_URI is set), load ``samples/``, print the graph."""
    if settings.embedded:
        st = server.start(settings)
        console.print(f"Neo4j running at {st.bolt_uri} (data in {st.home})")
    store = GraphStore.connect(settings)
    try:
        for path in sorted(SAMPLES.glob("*.md")):
            written = store.write_cubes(_sample_writes(path))
            console.print(f"{path.name}: {len(written)} new MemCubes")
        counts = store.counts()
        console.print("Graph: " + ", ".join(f"{v} {k}" for k, v in counts.items()))
        table = Table("id", "type", "state", "text")
        for cube in store.list_cubes(OWNER, limit=20):
            table.add_row(cube.id[:8], cube.descriptive.memory_type.value, cube.governance.state.value,
                          cube.text[:70])
        console.print(table)
    finally:
        store.close()
