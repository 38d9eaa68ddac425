"""The asynchronous Python SDK client (httpx.AsyncClient); see :mod:`memcubedb.api.client`."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import httpx

from memcubedb.api import client_calls as c
from memcubedb.api.client_calls import Call, CausalBookmarks, client_settings
from memcubedb.api.schemas.admin import KeyCreated, KeyOut, Me
from memcubedb.api.schemas.cubes import CubeOut, CubePage, IngestResult, ProvenanceOut
from memcubedb.api.schemas.facts import FactPage
from memcubedb.api.schemas.ops import CypherOut, JobOut, NaturalOut, SavedQuery, ScoreOut
from memcubedb.chat.schemas import ChatCompletion, ModelList
from memcubedb.graph.read_models.dashboard import Subgraph
from memcubedb.graph.records import Entity, Fact, InterchangeDocument, LoadResult
from memcubedb.search import SearchResult

T = TypeVar("T")


class AsyncMemCubeClient:
    """Asynchronous client (``httpx.AsyncClient``); the same methods as :class:`MemCubeClient`, awaited,
    and the same causal chain of bookmarks (``bookmarks``)."""

    def __init__(self, base_url: str | None = None, api_key: str | None = None, *, timeout: float = 60.0,
                 transport: httpx.AsyncBaseTransport | None = None, bookmarks: CausalBookmarks | None = None) -> None:
        url, headers = client_settings(base_url, api_key)
        self._http = httpx.AsyncClient(base_url=url, headers=headers, timeout=timeout, transport=transport)
        self.bookmarks = bookmarks or CausalBookmarks()

    async def __aenter__(self) -> AsyncMemCubeClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _send(self, call: Call[T]) -> T:
        request = call.request(self._http)
        sent = self.bookmarks.attach(request)
        response = await self._http.send(request)
        self.bookmarks.update(sent, response)
        return call.result(response)

    async def add_text(self, text: str, **options: Any) -> IngestResult:
        """Async :meth:`MemCubeClient.add_text`."""
        return await self._send(c.add_text(text, **options))

    async def add_document(self, uri: str, text: str, **options: Any) -> IngestResult:
        """Async :meth:`MemCubeClient.add_document`."""
        return await self._send(c.add_document(uri, text, **options))

    async def add_chat(self, uri: str, turns: list[dict[str, Any]], tags: list[str] | None = None) -> IngestResult:
        """Async :meth:`MemCubeClient.add_chat`."""
        return await self._send(c.add_chat(uri, turns, tags))

    async def get_cube(self, cube_id: str) -> CubeOut:
        """Async :meth:`MemCubeClient.get_cube`."""
        return await self._send(c.get_cube(cube_id))

    async def list_cubes(self, **filters: Any) -> CubePage:
        """Async :meth:`MemCubeClient.list_cubes`."""
        return await self._send(c.list_cubes(**filters))

    async def iter_cubes(self, **filters: Any) -> AsyncIterator[CubeOut]:
        """Async :meth:`MemCubeClient.iter_cubes`."""
        while True:
            page = await self.list_cubes(**filters)
            for item in page.items:
                yield item
            if page.next_cursor is None:
                return
            filters["cursor"] = page.next_cursor

    async def update_cube(self, cube_id: str, **changes: Any) -> CubeOut:
        """Async :meth:`MemCubeClient.update_cube`."""
        return await self._send(c.update_cube(cube_id, **changes))

    async def delete_cube(self, cube_id: str, purge: bool = False) -> None:
        """Async :meth:`MemCubeClient.delete_cube`."""
        await self._send(c.delete_cube(cube_id, purge))

    async def provenance(self, cube_id: str) -> ProvenanceOut:
        """Async :meth:`MemCubeClient.provenance`."""
        return await self._send(c.provenance(cube_id))

    async def cube_facts(self, cube_id: str) -> list[Fact]:
        """Async :meth:`MemCubeClient.cube_facts`."""
        return await self._send(c.cube_facts(cube_id))

    async def add_fact(self, cube_id: str, subject: dict[str, str], predicate: str, obj: dict[str, str],
                       **options: Any) -> Fact:
        """Async :meth:`MemCubeClient.add_fact`."""
        return await self._send(c.add_fact(cube_id, subject, predicate, obj, **options))

    async def edit_fact(self, cube_id: str, fact_id: str, **changes: Any) -> Fact:
        """Async :meth:`MemCubeClient.edit_fact`."""
        return await self._send(c.edit_fact(cube_id, fact_id, **changes))

    async def retract_fact(self, cube_id: str, fact_id: str) -> None:
        """Async :meth:`MemCubeClient.retract_fact`."""
        await self._send(c.retract_fact(cube_id, fact_id))

    async def find_facts(self, **filters: Any) -> FactPage:
        """Async :meth:`MemCubeClient.find_facts`."""
        return await self._send(c.find_facts(**filters))

    async def get_fact(self, fact_id: str) -> Fact:
        """Async :meth:`MemCubeClient.get_fact`."""
        return await self._send(c.get_fact(fact_id))

    async def entities(self, limit: int = 100) -> list[Entity]:
        """Async :meth:`MemCubeClient.entities`."""
        return (await self._send(c.entities(limit))).items

    async def get_entity(self, entity_id: str) -> Entity:
        """Async :meth:`MemCubeClient.get_entity`."""
        return await self._send(c.get_entity(entity_id))

    async def search(self, query: str, k: int = 10, recipe: str | None = None,
                     filters: dict[str, Any] | None = None) -> list[SearchResult]:
        """Async :meth:`MemCubeClient.search`."""
        return (await self._send(c.search(query, k, recipe, filters))).results

    async def natural(self, text: str, execute: bool = False) -> NaturalOut:
        """Async :meth:`MemCubeClient.natural`."""
        return await self._send(c.natural(text, execute))

    async def graph_overview(self, **params: Any) -> Subgraph:
        """Async :meth:`MemCubeClient.graph_overview`."""
        return await self._send(c.graph_overview(**params))

    async def graph_neighbourhood(self, seeds: list[str], **options: Any) -> Subgraph:
        """Async :meth:`MemCubeClient.graph_neighbourhood`."""
        return await self._send(c.graph_neighbourhood(seeds, **options))

    async def me(self) -> Me:
        """Async :meth:`MemCubeClient.me`."""
        return await self._send(c.me())

    async def grant(self, cube_id: str, grantee: str, right: str = "CAN_READ") -> None:
        """Async :meth:`MemCubeClient.grant`."""
        await self._send(c.grant(cube_id, grantee, right))

    async def revoke(self, cube_id: str, grantee: str, right: str = "CAN_READ") -> None:
        """Async :meth:`MemCubeClient.revoke`."""
        await self._send(c.revoke(cube_id, grantee, right))

    async def add_to_space(self, cube_id: str, space_id: str) -> None:
        """Async :meth:`MemCubeClient.add_to_space`."""
        await self._send(c.add_to_space(cube_id, space_id))

    async def grant_space(self, space_id: str, grantee: str, right: str = "CAN_READ") -> None:
        """Async :meth:`MemCubeClient.grant_space`."""
        await self._send(c.grant_space(space_id, grantee, right))

    async def add_member(self, group_id: str, member: str) -> None:
        """Async :meth:`MemCubeClient.add_member`."""
        await self._send(c.add_member(group_id, member))

    async def remove_member(self, group_id: str, member: str) -> None:
        """Async :meth:`MemCubeClient.remove_member`."""
        await self._send(c.remove_member(group_id, member))

    async def create_key(self, principal: str, role: str = "reader", name: str = "") -> KeyCreated:
        """Async :meth:`MemCubeClient.create_key`."""
        return await self._send(c.create_key(principal, role, name))

    async def list_keys(self, principal: str | None = None) -> list[KeyOut]:
        """Async :meth:`MemCubeClient.list_keys`."""
        return await self._send(c.list_keys(principal))

    async def revoke_key(self, key_id: str) -> KeyOut:
        """Async :meth:`MemCubeClient.revoke_key`."""
        return await self._send(c.revoke_key(key_id))

    async def scores(self, memory_type: str | None = None, limit: int = 50) -> list[ScoreOut]:
        """Async :meth:`MemCubeClient.scores`."""
        return await self._send(c.scores(memory_type, limit))

    async def promote(self, cube_id: str, score: float = 0.0) -> JobOut:
        """Async :meth:`MemCubeClient.promote`."""
        return await self._send(c.promote(cube_id, score))

    async def encode(self, fact_ids: list[str]) -> JobOut:
        """Async :meth:`MemCubeClient.encode`."""
        return await self._send(c.encode(fact_ids))

    async def demote(self, cube_id: str, reason: str = "requested through the API") -> JobOut:
        """Async :meth:`MemCubeClient.demote`."""
        return await self._send(c.demote(cube_id, reason))

    async def run_scheduler(self) -> JobOut:
        """Async :meth:`MemCubeClient.run_scheduler`."""
        return await self._send(c.run_scheduler())

    async def jobs(self, limit: int = 20) -> list[JobOut]:
        """Async :meth:`MemCubeClient.jobs`."""
        return await self._send(c.jobs(limit))

    async def job(self, job_id: str) -> JobOut:
        """Async :meth:`MemCubeClient.job`."""
        return await self._send(c.job(job_id))

    async def wait_for_job(self, job_id: str, timeout_s: float = 600.0, poll_s: float = 0.5) -> JobOut:
        """Async :meth:`MemCubeClient.wait_for_job`."""
        deadline = time.monotonic() + timeout_s
        while (found := await self.job(job_id)).state in ("queued", "running"):
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} still running after {timeout_s} s")
            await asyncio.sleep(poll_s)
        return found

    async def export(self, **selection: Any) -> InterchangeDocument:
        """Async :meth:`MemCubeClient.export`."""
        return await self._send(c.export(**selection))

    async def import_(self, document: InterchangeDocument | dict[str, Any], take_ownership: bool = False,
                      keep_owners: bool = False) -> LoadResult:
        """Async :meth:`MemCubeClient.import_`."""
        return await self._send(c.import_(document, take_ownership, keep_owners))

    async def cypher(self, query: str, parameters: dict[str, Any] | None = None, limit: int | None = None,
                     timeout_s: float | None = None) -> CypherOut:
        """Async :meth:`MemCubeClient.cypher`."""
        return await self._send(c.cypher(query, parameters, limit, timeout_s))

    async def saved_queries(self) -> list[SavedQuery]:
        """Async :meth:`MemCubeClient.saved_queries`."""
        return await self._send(c.saved_queries())

    async def run_saved(self, name: str, parameters: dict[str, Any] | None = None,
                        limit: int | None = None) -> CypherOut:
        """Async :meth:`MemCubeClient.run_saved`."""
        return await self._send(c.run_saved(name, parameters, limit))

    async def chat(self, messages: list[dict[str, Any]], **options: Any) -> ChatCompletion:
        """Async :meth:`MemCubeClient.chat`."""
        return await self._send(c.chat(messages, **options))

    async def models(self) -> ModelList:
        """Async :meth:`MemCubeClient.models`."""
        return await self._send(c.models())

    async def health(self) -> dict[str, Any]:
        """Async :meth:`MemCubeClient.health`."""
        return await self._send(c.health())
