"""Cypher files shipped with MemCubeDB: schema migrations and saved analyst queries.

``migrations/NNNN_name.cypher`` hold schema statements separated by ``;`` at line ends;
``queries/name.cypher`` hold one saved, parameterised analyst query each, with a header of
``//`` comment lines (purpose, parameters, columns). The query modules beside them
(``store``, ``facts``, ``search``, ``chat``, ``dashboard``, ``interchange``, ``access``,
``scheduler``, ``admin``) hold the knowledge-base API's own Cypher, one module per area
(``cypher/README.md``, *Permissions inside every query*).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from memcubedb.cube import LifecycleState
from memcubedb.states import LIVE_STATES, TRANSITIONS

_ROOT = Path(str(resources.files(__package__)))

#: Parameters that saved queries take from MemLifecycle's table (:mod:`memcubedb.states`) rather
#: than from their caller: the runner passes them to every saved query that uses them, and a
#: caller may not set them. ``$live_states``: the live states; ``$expirable_states``: the states
#: a TTL may still expire (those with a transition to ``expired``), as stored in ``state``.
LIFECYCLE_PARAMETERS: dict[str, list[str]] = {
    "live_states": list(LIVE_STATES),
    "expirable_states": [s.value for s, targets in TRANSITIONS.items() if LifecycleState.EXPIRED in targets],
}


@dataclass(frozen=True)
class CypherFile:
    """A named Cypher file: its name (file stem), header comment and statements."""

    name: str
    header: str
    statements: tuple[str, ...]


def _parse(path: Path) -> CypherFile:
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line[2:].strip() for line in text.splitlines() if line.startswith("//"))
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    statements = tuple(s.strip() for s in body.split(";\n") if s.strip().rstrip(";").strip())
    return CypherFile(name=path.stem, header=header, statements=tuple(s.rstrip(";").strip() for s in statements))


def migrations() -> list[CypherFile]:
    """The schema migrations, ordered by their numeric prefix."""
    return [_parse(p) for p in sorted((_ROOT / "migrations").glob("*.cypher"))]


def saved_queries() -> dict[str, CypherFile]:
    """The saved analyst queries by name.

    Raises:
        ValueError: if a saved query file holds more than one statement.
    """
    out: dict[str, CypherFile] = {}
    for path in sorted((_ROOT / "queries").glob("*.cypher")):
        parsed = _parse(path)
        if len(parsed.statements) != 1:
            raise ValueError(f"saved query {path.name} must hold exactly one statement")
        out[parsed.name] = parsed
    return out
