"""The requests of the Python SDK, built once for the sync and the async client.

Each function returns a :class:`Call`: method, path, query, JSON body, and the pydantic model
the answer parses into (``None`` for 204 answers). :mod:`memcubedb.api.client` sends them with
``httpx.Client`` or ``httpx.AsyncClient``. The models are the API's own response schemas.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar
from urllib.parse import quote

import httpx
from pydantic import BaseModel, TypeAdapter

from memcubedb.api.schemas.admin import KeyCreated, KeyOut, Me
from memcubedb.api.schemas.cubes import CubeOut, CubePage, IngestResult, ProvenanceOut
from memcubedb.api.schemas.facts import EntityList, FactPage
from memcubedb.api.schemas.ops import CypherOut, JobOut, NaturalOut, SavedQuery, ScoreOut, SearchOut
from memcubedb.api.schemas.problem import Problem
from memcubedb.chat.schemas import ChatCompletion, ModelList
from memcubedb.graph.read_models.dashboard import Subgraph
from memcubedb.graph.records import Entity, Fact, InterchangeDocument, LoadResult
from memcubedb.request_context import BOOKMARK_HEADER

T = TypeVar("T")

DEFAULT_URL = "http://127.0.0.1:8000"
"""Where clients (SDK, CLI) look for the API unless told otherwise (``$MEMCUBEDB_API_URL``)."""


class CausalBookmarks:
    """A client's causal chain: the ``X-MemCubeDB-Bookmark`` tokens its writes got back, sent on
    every later request, so that whichever API process answers (against a Neo4j cluster: whichever
    secondary it reads) sees those writes — read-your-writes across processes. Merged as Neo4j's
    bookmark manager merges: a write answer's token replaces the tokens its request carried, so
    concurrent writes keep one token each. Share one between clients of different API URLs to
    chain them. Thread-safe."""

    def __init__(self) -> None:
        self.tokens: frozenset[str] = frozenset()
        self._lock = threading.Lock()

    def attach(self, request: httpx.Request) -> frozenset[str]:
        """Put the current tokens on ``request``; return them (for :meth:`update`)."""
        sent = self.tokens
        if sent:
            request.headers[BOOKMARK_HEADER] = ",".join(sorted(sent))
        return sent

    def update(self, sent: frozenset[str], response: httpx.Response) -> None:
        """Take the bookmark of a write answer (requests that wrote nothing return none)."""
        token = response.headers.get(BOOKMARK_HEADER)
        if token:
            with self._lock:
                self.tokens = (self.tokens - sent) | {token}


def client_settings(base_url: str | None, api_key: str | None) -> tuple[str, dict[str, str]]:
    """Base URL (default ``$MEMCUBEDB_API_URL`` or http://127.0.0.1:8000) and auth headers (key
    default ``$MEMCUBEDB_API_KEY``) of a client."""
    url = base_url or os.environ.get("MEMCUBEDB_API_URL", DEFAULT_URL)
    key = api_key or os.environ.get("MEMCUBEDB_API_KEY")
    return url, ({"Authorization": f"Bearer {key}"} if key else {})


class MemCubeError(Exception):
    """An error answer of the API, with its RFC 9457 problem details (``problem``)."""

    def __init__(self, status: int, problem: Problem) -> None:
        super().__init__(f"{status} {problem.title}: {problem.detail}")
        self.status = status
        self.problem = problem


@dataclass(frozen=True)
class Call(Generic[T]):
    """One request and how to read its answer."""

    method: str
    path: str
    parse: TypeAdapter[T] | None
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None

    def request(self, client: httpx.Client | httpx.AsyncClient) -> httpx.Request:
        """The httpx request (``None`` query values dropped)."""
        params = {k: v for k, v in self.params.items() if v is not None}
        return client.build_request(self.method, self.path, params=params, json=self.json)

    def result(self, response: httpx.Response) -> T:
        """The parsed answer.

        Raises:
            MemCubeError: for any 4xx/5xx answer.
        """
        if response.is_error:
            try:
                problem = Problem.model_validate(response.json())
            except ValueError:
                problem = Problem(type="about:blank", title=response.reason_phrase, status=response.status_code,
                                  detail=response.text[:500], instance=self.path)
            raise MemCubeError(response.status_code, problem)
        if self.parse is None:
            return None  # type: ignore[return-value]
        return self.parse.validate_json(response.content)


def _p(*parts: str) -> str:
    return "/" + "/".join(quote(p, safe="") if i else p for i, p in enumerate(parts))


def _body(model: BaseModel | dict[str, Any] | None) -> Any:
    return model.model_dump(mode="json", exclude_none=True) if isinstance(model, BaseModel) else model


def _call(method: str, path: str, model: Any, params: dict[str, Any] | None = None, json: Any = None) -> Call[Any]:
    return Call(method, path, TypeAdapter(model) if model is not None else None, params or {}, json)


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items() if v is not None}


# --- memcubes ---------------------------------------------------------------------------------

def add_text(text: str, **options: Any) -> Call[IngestResult]:
    return _call("POST", "/v1/cubes", IngestResult, json=_clean({"text": text, **options}))


def add_document(uri: str, text: str, **options: Any) -> Call[IngestResult]:
    return _call("POST", "/v1/cubes/document", IngestResult, json=_clean({"uri": uri, "text": text, **options}))


def add_chat(uri: str, turns: list[dict[str, Any]], tags: list[str] | None = None) -> Call[IngestResult]:
    turns = [_clean(t) for t in turns]
    return _call("POST", "/v1/cubes/chat", IngestResult, json=_clean({"uri": uri, "turns": turns, "tags": tags}))


def get_cube(cube_id: str) -> Call[CubeOut]:
    return _call("GET", _p("v1/cubes", cube_id), CubeOut)


def list_cubes(**filters: Any) -> Call[CubePage]:
    return _call("GET", "/v1/cubes", CubePage, params=filters)


def update_cube(cube_id: str, **changes: Any) -> Call[CubeOut]:
    return _call("PATCH", _p("v1/cubes", cube_id), CubeOut, json=changes)


def delete_cube(cube_id: str, purge: bool = False) -> Call[None]:
    return _call("DELETE", _p("v1/cubes", cube_id), None, params={"purge": purge})


def provenance(cube_id: str) -> Call[ProvenanceOut]:
    return _call("GET", _p("v1/cubes", cube_id, "provenance"), ProvenanceOut)


# --- facts and entities -----------------------------------------------------------------------

def cube_facts(cube_id: str) -> Call[list[Fact]]:
    return _call("GET", _p("v1/cubes", cube_id, "facts"), list[Fact])


def add_fact(cube_id: str, subject: dict[str, str], predicate: str, obj: dict[str, str], **options: Any) -> Call[Fact]:
    body = {"subject": subject, "predicate": predicate, "object": obj, **options}
    return _call("POST", _p("v1/cubes", cube_id, "facts"), Fact, json=body)


def edit_fact(cube_id: str, fact_id: str, **changes: Any) -> Call[Fact]:
    return _call("PATCH", _p("v1/cubes", cube_id, "facts", fact_id), Fact, json=changes)


def retract_fact(cube_id: str, fact_id: str) -> Call[None]:
    return _call("DELETE", _p("v1/cubes", cube_id, "facts", fact_id), None)


def find_facts(**filters: Any) -> Call[FactPage]:
    return _call("GET", "/v1/facts", FactPage, params=filters)


def get_fact(fact_id: str) -> Call[Fact]:
    return _call("GET", _p("v1/facts", fact_id), Fact)


def entities(limit: int = 100) -> Call[EntityList]:
    return _call("GET", "/v1/entities", EntityList, params={"limit": limit})


def get_entity(entity_id: str) -> Call[Entity]:
    return _call("GET", _p("v1/entities", entity_id), Entity)


# --- search, natural language, graph ----------------------------------------------------------

def search(
    query: str, k: int = 10, recipe: str | None = None, filters: dict[str, Any] | None = None
) -> Call[SearchOut]:
    body = _clean({"query": query, "k": k, "recipe": recipe, "filters": filters})
    return _call("POST", "/v1/search", SearchOut, json=body)


def natural(text: str, execute: bool = False) -> Call[NaturalOut]:
    return _call("POST", "/v1/natural", NaturalOut, json={"text": text, "execute": execute})


def graph_overview(**params: Any) -> Call[Subgraph]:
    return _call("GET", "/v1/graph/overview", Subgraph, params=params)


def graph_neighbourhood(seeds: list[str], **options: Any) -> Call[Subgraph]:
    return _call("POST", "/v1/graph/neighbourhood", Subgraph, json={"seeds": seeds, **options})


# --- permissions, keys ------------------------------------------------------------------------

def me() -> Call[Me]:
    return _call("GET", "/v1/me", Me)


def grant(cube_id: str, grantee: str, right: str = "CAN_READ") -> Call[None]:
    return _call("POST", _p("v1/cubes", cube_id, "grants"), None, json={"grantee": grantee, "right": right})


def revoke(cube_id: str, grantee: str, right: str = "CAN_READ") -> Call[None]:
    return _call("DELETE", _p("v1/cubes", cube_id, "grants", grantee, right), None)


def add_to_space(cube_id: str, space_id: str) -> Call[None]:
    return _call("PUT", _p("v1/cubes", cube_id, "space"), None, json={"space_id": space_id})


def grant_space(space_id: str, grantee: str, right: str = "CAN_READ") -> Call[None]:
    return _call("POST", _p("v1/spaces", space_id, "grants"), None, json={"grantee": grantee, "right": right})


def add_member(group_id: str, member: str) -> Call[None]:
    return _call("POST", _p("v1/groups", group_id, "members"), None, json={"member": member})


def remove_member(group_id: str, member: str) -> Call[None]:
    return _call("DELETE", _p("v1/groups", group_id, "members", member), None)


def create_key(principal: str, role: str = "reader", name: str = "") -> Call[KeyCreated]:
    return _call("POST", "/v1/keys", KeyCreated, json={"principal": principal, "role": role, "name": name})


def list_keys(principal: str | None = None) -> Call[list[KeyOut]]:
    return _call("GET", "/v1/keys", list[KeyOut], params={"principal": principal})


def revoke_key(key_id: str) -> Call[KeyOut]:
    return _call("DELETE", _p("v1/keys", key_id), KeyOut)


# --- scheduler --------------------------------------------------------------------------------

def scores(memory_type: str | None = None, limit: int = 50) -> Call[list[ScoreOut]]:
    return _call("GET", "/v1/scheduler/scores", list[ScoreOut], params={"memory_type": memory_type, "limit": limit})


def promote(cube_id: str, score: float = 0.0) -> Call[JobOut]:
    return _call("POST", "/v1/scheduler/promote", JobOut, json={"cube_id": cube_id, "score": score})


def encode(fact_ids: list[str]) -> Call[JobOut]:
    return _call("POST", "/v1/scheduler/encode", JobOut, json={"fact_ids": fact_ids})


def demote(cube_id: str, reason: str = "requested through the API") -> Call[JobOut]:
    return _call("POST", "/v1/scheduler/demote", JobOut, json={"cube_id": cube_id, "reason": reason})


def run_scheduler() -> Call[JobOut]:
    return _call("POST", "/v1/scheduler/run", JobOut)


def jobs(limit: int = 20) -> Call[list[JobOut]]:
    return _call("GET", "/v1/scheduler/jobs", list[JobOut], params={"limit": limit})


def job(job_id: str) -> Call[JobOut]:
    return _call("GET", _p("v1/scheduler/jobs", job_id), JobOut)


# --- export / import, cypher, health ----------------------------------------------------------

def export(**selection: Any) -> Call[InterchangeDocument]:
    return _call("POST", "/v1/export", InterchangeDocument, json=_clean(selection))


def import_(document: InterchangeDocument | dict[str, Any], take_ownership: bool = False,
            keep_owners: bool = False) -> Call[LoadResult]:
    params = {"take_ownership": take_ownership, "keep_owners": keep_owners}
    return _call("POST", "/v1/import", LoadResult, params=params, json=_body(document))


def cypher(query: str, parameters: dict[str, Any] | None = None, limit: int | None = None,
           timeout_s: float | None = None) -> Call[CypherOut]:
    body = _clean({"query": query, "parameters": parameters or {}, "limit": limit, "timeout_s": timeout_s})
    return _call("POST", "/v1/cypher", CypherOut, json=body)


def saved_queries() -> Call[list[SavedQuery]]:
    return _call("GET", "/v1/cypher/queries", list[SavedQuery])


def run_saved(name: str, parameters: dict[str, Any] | None = None, limit: int | None = None) -> Call[CypherOut]:
    body = _clean({"parameters": parameters or {}, "limit": limit})
    return _call("POST", _p("v1/cypher/queries", name), CypherOut, json=body)


def chat(messages: list[dict[str, Any]], **options: Any) -> Call[ChatCompletion]:
    return _call("POST", "/v1/chat/completions", ChatCompletion,
                 json=_clean({"messages": messages, **options, "stream": False}))


def models() -> Call[ModelList]:
    return _call("GET", "/v1/models", ModelList)


def health() -> Call[dict[str, Any]]:
    return _call("GET", "/v1/health", dict[str, Any])
