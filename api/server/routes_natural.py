"""/v1/natural: natural-language memory requests through MemReader's intent parsing.

:func:`memcubedb.extraction.intent.parse_intent` turns the text into a chain of operations:
"remember that …" → ``add``; "what do you know about …" → ``search``; "forget what I said about
…" → ``delete``; "actually it's X, not Y" → ``update``. With ``execute`` they run as the caller:

* ``add`` reads ``text`` with MemReader (cubes, entities, facts) like ``POST /v1/cubes``;
* ``search`` runs the hybrid search for ``query``;
* ``delete`` searches for ``about`` and deletes the found memories the caller may write whose text
  contains ``about`` (case-insensitive) — never a memory that merely ranks near it;
* ``update`` finds the best memory the caller may write whose text contains ``replaces`` and writes
  a new version with ``replaces`` replaced by ``text``; without ``replaces`` nothing is changed.
"""

from __future__ import annotations

import re

from fastapi import APIRouter

from memcubedb.api.schemas.ops import NaturalIn, NaturalOut, OperationResult
from memcubedb.api.server.auth import Caller, Capability, Reader, ServicesDep
from memcubedb.api.server.errors import ApiError, responses
from memcubedb.api.server.services import Services
from memcubedb.extraction.documents import Document
from memcubedb.extraction.operations import AddMemory, DeleteMemory, SearchMemory, UpdateMemory
from memcubedb.graph.read_models.lookups import access
from memcubedb.graph.records import content_hash

router = APIRouter(tags=["natural language"])
SEARCH_K = 10


def _writable_hits(services: Services, caller: Caller, query: str, must_contain: str) -> list[tuple[str, str]]:
    needle = must_contain.casefold()
    hits = services.search.search(caller.principal, query, SEARCH_K)
    return [(h.cube_id, h.text) for h in hits
            if needle in h.text.casefold() and access(services.store, caller.principal, h.cube_id)[1]]


def _execute(services: Services, caller: Caller, op: AddMemory | DeleteMemory | SearchMemory | UpdateMemory
             ) -> OperationResult:
    out = OperationResult(operation=op, executed=True)
    if isinstance(op, AddMemory):
        doc = Document(uri=f"api://{caller.principal}/{content_hash(op.text)[:16]}", text=op.text)
        writes = list(services.reader(caller.principal).read([doc]))
        services.store.write_cubes(writes, prepare=services.vectorize)
        out.cube_ids = [w.cube.id for w in writes]
    elif isinstance(op, SearchMemory):
        out.cube_ids = [h.cube_id for h in services.search.search(caller.principal, op.query, SEARCH_K)]
    elif isinstance(op, DeleteMemory):
        for cube_id, _ in _writable_hits(services, caller, op.about, op.about):
            services.store.delete_cube(caller.principal, cube_id)
            out.cube_ids.append(cube_id)
        out.detail = "" if out.cube_ids else f"no memory the caller may change mentions {op.about!r}"
    elif op.replaces is None:
        out.executed, out.detail = False, "say what the correction replaces (\"…, not X\") to update a memory"
    else:
        found = _writable_hits(services, caller, op.replaces, op.replaces)
        if not found:
            out.executed, out.detail = False, f"no memory the caller may change mentions {op.replaces!r}"
        else:
            cube_id, text = found[0]
            new_text = re.sub(re.escape(op.replaces), lambda _: op.text, text, flags=re.IGNORECASE)
            out.cube_ids = [services.store.update_cube(caller.principal, cube_id, prepare=services.vectorize,
                                                       text=new_text).id]
    return out


@router.post(
    "/v1/natural", response_model=NaturalOut, summary="A natural-language memory request",
    description="MemReader's intent parsing turns the text into memory operations (add, delete, search, update); "
                "with `execute` they run as the caller (needs the writer role).",
    responses=responses(401, 403, 413, 422),
)
def natural(body: NaturalIn, caller: Reader, services: ServicesDep) -> NaturalOut:
    if body.execute and not caller.can(Capability.WRITE):
        raise ApiError(403, "executing memory requests needs the writer role", "role-forbidden")
    operations = services.intent.parse(body.text)
    results = [_execute(services, caller, op) if body.execute else OperationResult(operation=op)
               for op in operations]
    return NaturalOut(text=body.text, operations=results)
