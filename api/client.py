"""The Python SDK of the knowledge-base API: :class:`MemCubeClient` (sync) and
:class:`AsyncMemCubeClient` (asyncio), both on httpx, with the API's own typed models.

    with MemCubeClient("http://127.0.0.1:8000", api_key) as mc:
        added = mc.add_text("Alice works at Acme.")
        hits = mc.search("where does Alice work?")

    async with AsyncMemCubeClient("http://127.0.0.1:8000", api_key) as mc:
        hits = await mc.search("where does Alice work?")

Every method mirrors one route (see ``/openapi.json``) and raises :class:`MemCubeError` (with the
RFC 9457 problem details) for an error answer; ``httpx.HTTPError`` for transport failures.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any, TypeVar

import httpx

from memcubedb.api import client_calls as c
from memcubedb.api.client_async import AsyncMemCubeClient
from memcubedb.api.client_calls import Call, CausalBookmarks, MemCubeError, client_settings
from memcubedb.api.schemas.admin import KeyCreated, KeyOut, Me
from memcubedb.api.schemas.cubes import CubeOut, CubePage, IngestResult, ProvenanceOut
from memcubedb.api.schemas.facts import FactPage
from memcubedb.api.schemas.ops import CypherOut, JobOut, NaturalOut, SavedQuery, ScoreOut
from memcubedb.chat.schemas import ChatCompletion, ModelList
from memcubedb.graph.read_models.dashboard import Subgraph
from memcubedb.graph.records import Entity, Fact, InterchangeDocument, LoadResult
from memcubedb.search import SearchResult

__all__ = ["AsyncMemCubeClient", "CausalBookmarks", "MemCubeClient", "MemCubeError"]

T = TypeVar("T")


class MemCubeClient:
    """Synchronous client. ``base_url`` defaults to ``$MEMCUBEDB_API_URL`` or
    http://127.0.0.1:8000, ``api_key`` to ``$MEMCUBEDB_API_KEY``; ``timeout`` in seconds.
    ``bookmarks``: the causal chain to use (default: a new one, see :class:`CausalBookmarks`)."""

    def __init__(self, base_url: str | None = None, api_key: str | None = None, *, timeout: float = 60.0,
                 transport: httpx.BaseTransport | None = None, bookmarks: CausalBookmarks | None = None) -> None:
        url, headers = client_settings(base_url, api_key)
        self._http = httpx.Client(base_url=url, headers=headers, timeout=timeout, transport=transport)
        self.bookmarks = bookmarks or CausalBookmarks()

    def __enter__(self) -> MemCubeClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _send(self, call: Call[T]) -> T:
        request = call.request(self._http)
        sent = self.bookmarks.attach(request)
        response = self._http.send(request)
        self.bookmarks.update(sent, response)
        return call.result(response)

    # memcubes
    def add_text(self, text: str, **options: Any) -> IngestResult:
        """Add a text memory (options: uri, format, timestamp, tags)."""
        return self._send(c.add_text(text, **options))

    def add_document(self, uri: str, text: str, **options: Any) -> IngestResult:
        """Add a document (options: format, timestamp, tags)."""
        return self._send(c.add_document(uri, text, **options))

    def add_chat(self, uri: str, turns: list[dict[str, Any]], tags: list[str] | None = None) -> IngestResult:
        """Add a chat: turns ``{speaker, text, turn_id, timestamp?}``."""
        return self._send(c.add_chat(uri, turns, tags))

    def get_cube(self, cube_id: str) -> CubeOut:
        """One memory."""
        return self._send(c.get_cube(cube_id))

    def list_cubes(self, **filters: Any) -> CubePage:
        """One page (filters: memory_type, state, owner, tag, latest_only, limit, cursor)."""
        return self._send(c.list_cubes(**filters))

    def iter_cubes(self, **filters: Any) -> Iterator[CubeOut]:
        """Every readable memory matching the filters, following the cursors."""
        while True:
            page = self.list_cubes(**filters)
            yield from page.items
            if page.next_cursor is None:
                return
            filters["cursor"] = page.next_cursor

    def update_cube(self, cube_id: str, **changes: Any) -> CubeOut:
        """Write a new version (changes: text, tags, semantic_type, priority, ttl_s)."""
        return self._send(c.update_cube(cube_id, **changes))

    def delete_cube(self, cube_id: str, purge: bool = False) -> None:
        """Delete (and with ``purge`` remove) a memory."""
        self._send(c.delete_cube(cube_id, purge))

    def provenance(self, cube_id: str) -> ProvenanceOut:
        """A memory's W3C PROV lineage."""
        return self._send(c.provenance(cube_id))

    # facts and entities
    def cube_facts(self, cube_id: str) -> list[Fact]:
        """Facts a memory asserts."""
        return self._send(c.cube_facts(cube_id))

    def add_fact(self, cube_id: str, subject: dict[str, str], predicate: str, obj: dict[str, str],
                 **options: Any) -> Fact:
        """Assert a fact; ends are ``{"id": …}`` or ``{"name": …, "type": …}`` (options: negated, confidence)."""
        return self._send(c.add_fact(cube_id, subject, predicate, obj, **options))

    def edit_fact(self, cube_id: str, fact_id: str, **changes: Any) -> Fact:
        """Replace a fact by an edited copy (changes: subject, predicate, object, negated, confidence)."""
        return self._send(c.edit_fact(cube_id, fact_id, **changes))

    def retract_fact(self, cube_id: str, fact_id: str) -> None:
        """Remove a memory's assertion of a fact."""
        self._send(c.retract_fact(cube_id, fact_id))

    def find_facts(self, **filters: Any) -> FactPage:
        """Facts by predicate, subject_id, object_id, entity_id (after, limit)."""
        return self._send(c.find_facts(**filters))

    def get_fact(self, fact_id: str) -> Fact:
        """One fact."""
        return self._send(c.get_fact(fact_id))

    def entities(self, limit: int = 100) -> list[Entity]:
        """Entities of readable memories, by name."""
        return self._send(c.entities(limit)).items

    def get_entity(self, entity_id: str) -> Entity:
        """One entity."""
        return self._send(c.get_entity(entity_id))

    # search, natural language, graph
    def search(self, query: str, k: int = 10, recipe: str | None = None,
               filters: dict[str, Any] | None = None) -> list[SearchResult]:
        """Hybrid search; results best first."""
        return self._send(c.search(query, k, recipe, filters)).results

    def natural(self, text: str, execute: bool = False) -> NaturalOut:
        """Parse (and with ``execute`` run) a natural-language memory request."""
        return self._send(c.natural(text, execute))

    def graph_overview(self, **params: Any) -> Subgraph:
        """A bounded overview subgraph (params: memory_type, state, created_from, created_to, source, limit)."""
        return self._send(c.graph_overview(**params))

    def graph_neighbourhood(self, seeds: list[str], **options: Any) -> Subgraph:
        """Expand around seed ids (options: known, filter, limit, edge_limit)."""
        return self._send(c.graph_neighbourhood(seeds, **options))

    # permissions and keys
    def me(self) -> Me:
        """The caller's principal, role and groups."""
        return self._send(c.me())

    def grant(self, cube_id: str, grantee: str, right: str = "CAN_READ") -> None:
        """Grant a right on an owned memory."""
        self._send(c.grant(cube_id, grantee, right))

    def revoke(self, cube_id: str, grantee: str, right: str = "CAN_READ") -> None:
        """Revoke a right on an owned memory."""
        self._send(c.revoke(cube_id, grantee, right))

    def add_to_space(self, cube_id: str, space_id: str) -> None:
        """Put an owned memory into a Space."""
        self._send(c.add_to_space(cube_id, space_id))

    def grant_space(self, space_id: str, grantee: str, right: str = "CAN_READ") -> None:
        """Grant a right on a Space (admin)."""
        self._send(c.grant_space(space_id, grantee, right))

    def add_member(self, group_id: str, member: str) -> None:
        """Add a member to a group (admin)."""
        self._send(c.add_member(group_id, member))

    def remove_member(self, group_id: str, member: str) -> None:
        """Remove a member from a group (admin)."""
        self._send(c.remove_member(group_id, member))

    def create_key(self, principal: str, role: str = "reader", name: str = "") -> KeyCreated:
        """Create an API key (admin); the key is in the answer only."""
        return self._send(c.create_key(principal, role, name))

    def list_keys(self, principal: str | None = None) -> list[KeyOut]:
        """API keys (admin)."""
        return self._send(c.list_keys(principal))

    def revoke_key(self, key_id: str) -> KeyOut:
        """Revoke an API key (admin)."""
        return self._send(c.revoke_key(key_id))

    # scheduler
    def scores(self, memory_type: str | None = None, limit: int = 50) -> list[ScoreOut]:
        """Recorded promotion scores, highest first."""
        return self._send(c.scores(memory_type, limit))

    def promote(self, cube_id: str, score: float = 0.0) -> JobOut:
        """Start promoting a memory to a KV template; returns the job."""
        return self._send(c.promote(cube_id, score))

    def encode(self, fact_ids: list[str]) -> JobOut:
        """Start encoding facts into a LoRA adapter; returns the job."""
        return self._send(c.encode(fact_ids))

    def demote(self, cube_id: str, reason: str = "requested through the API") -> JobOut:
        """Start demoting a KV template or adapter; returns the job."""
        return self._send(c.demote(cube_id, reason))

    def run_scheduler(self) -> JobOut:
        """Start one MemScheduler run for the caller; returns the job."""
        return self._send(c.run_scheduler())

    def jobs(self, limit: int = 20) -> list[JobOut]:
        """Recent scheduler jobs."""
        return self._send(c.jobs(limit))

    def job(self, job_id: str) -> JobOut:
        """One scheduler job."""
        return self._send(c.job(job_id))

    def wait_for_job(self, job_id: str, timeout_s: float = 600.0, poll_s: float = 0.5) -> JobOut:
        """Poll a job until it ended (no longer queued or running).

        Raises:
            TimeoutError: still running after ``timeout_s`` seconds.
        """
        deadline = time.monotonic() + timeout_s
        while (found := self.job(job_id)).state in ("queued", "running"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still running after {timeout_s} s")
            time.sleep(poll_s)
        return found

    # export / import, cypher, health
    def export(self, **selection: Any) -> InterchangeDocument:
        """Export readable memories (selection: cube_ids, memory_type, tag, include_versions, limit)."""
        return self._send(c.export(**selection))

    def import_(self, document: InterchangeDocument | dict[str, Any], take_ownership: bool = False,
                keep_owners: bool = False) -> LoadResult:
        """Import an interchange document in one transaction."""
        return self._send(c.import_(document, take_ownership, keep_owners))

    def cypher(self, query: str, parameters: dict[str, Any] | None = None, limit: int | None = None,
               timeout_s: float | None = None) -> CypherOut:
        """Run read-only Cypher (analyst role)."""
        return self._send(c.cypher(query, parameters, limit, timeout_s))

    def saved_queries(self) -> list[SavedQuery]:
        """The saved analyst queries."""
        return self._send(c.saved_queries())

    def run_saved(self, name: str, parameters: dict[str, Any] | None = None, limit: int | None = None) -> CypherOut:
        """Run a saved analyst query."""
        return self._send(c.run_saved(name, parameters, limit))

    # chat
    def chat(self, messages: list[dict[str, Any]], **options: Any) -> ChatCompletion:
        """A chat completion with the caller's memories in context (``POST /v1/chat/completions``;
        options: model, max_tokens, temperature, top_p, seed, stop, and ``memcubedb={"explain": True,
        "write_back": True, "memory_types": [...]}``). The answer is ``.choices[0].message.content``;
        ``.memcubedb`` lists the memories used by type."""
        return self._send(c.chat(messages, **options))

    def models(self) -> ModelList:
        """The models the chat serves."""
        return self._send(c.models())

    def health(self) -> dict[str, Any]:
        """Liveness and the Neo4j version (no key needed)."""
        return self._send(c.health())
