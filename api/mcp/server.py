"""MemCubeDB as an MCP server (Model Context Protocol, official ``mcp`` SDK, ``MCPServer``): the
memory tools an agent host offers its model.

:func:`build_mcp` registers the tools and resources on an ``MCPServer`` over an
:class:`~memcubedb.api.mcp.calls.McpBackend`. Every tool authenticates the request's API key and
checks its role as the REST API does, then calls the REST route functions themselves with the REST
request models (one code path: same permission predicates, validation, one transaction per write);
their 4xx errors come back as tool errors whose text says what to fix. Transports: stdio
(``memcubedb mcp``, :mod:`memcubedb.api.mcp.stdio`) and streamable HTTP at ``/mcp`` of the API
(:mod:`memcubedb.api.mcp.http`). Idea: MemOS ships an MCP server (``api/mcp_serve.py``) for the same
purpose; tool names follow the memory operations of the MemOS paper (add, search, get, update, delete).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import version
from typing import Annotated, Any, Literal, TypeVar

from fastapi import Response
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from memcubedb.api.mcp.calls import McpBackend, mcp_errors
from memcubedb.api.mcp.resources import GuardedMCPServer, register_resources
from memcubedb.api.mcp.schemas import (
    ABOUT_MEMORIES,
    AddMemoryOut,
    ChatOut,
    ChatTurn,
    DeleteOut,
    EntityOut,
    MemoryBrief,
    MemoryOut,
)
from memcubedb.api.schemas.cubes import AddChat, AddText, CubeOut, CubeUpdate, TurnIn
from memcubedb.api.schemas.ops import CypherIn, CypherOut, NaturalIn, NaturalOut, SavedRun, SearchIn, SearchOut
from memcubedb.api.server import routes_cubes, routes_cypher, routes_facts, routes_natural, routes_search
from memcubedb.api.server.auth import Caller, Capability
from memcubedb.api.server.services import Services
from memcubedb.chat.errors import ChatError
from memcubedb.chat.schemas import ChatRequest, MemoryOptions, MemoryTypeName, Message
from memcubedb.cube import MemoryType, Timestamp
from memcubedb.cypher import saved_queries
from memcubedb.graph.read_models.lookups import cubes_by_ids
from memcubedb.graph.records import Entity, Fact, content_hash
from memcubedb.graph.store import NotFound
from memcubedb.search import RECIPES, SearchFilters

SERVER_NAME = "memcubedb"
INSTRUCTIONS = (
    "MemCubeDB is this user's long-term memory: a knowledge graph of memories (MemCubes), the facts "
    "(subject, predicate, object) extracted from them, and where each came from. Call search_memory before "
    "answering questions about the user or past conversations; call add_memory for things worth keeping; "
    "use get_memory for a memory's facts and provenance, about_entity for everything known about a person, "
    "place or thing. Every call acts as the API key's principal and sees only what it may read."
)
F = TypeVar("F", bound=Callable[..., Any])
SOURCE_SCAN = 100
"""Search depth when ``search_memory`` filters by source (the filter applies to these hits)."""


def _given(**fields: Any) -> dict[str, Any]:
    return {k: v for k, v in fields.items() if v is not None}


def _chat(principal: str, turns: list[ChatTurn], uri: str | None, tags: list[str]) -> AddChat:
    items = [TurnIn(speaker=t.speaker, text=t.text, timestamp=t.time, turn_id=t.turn_id or f"t{i}")
             for i, t in enumerate(turns, start=1)]
    signature = content_hash("\x1e".join(f"{t.speaker}\x1f{t.text}" for t in items))
    return AddChat(uri=uri or f"api://{principal}/{signature[:16]}", turns=items, tags=tags)


def _facts(services: Services, caller: Caller, cube_ids: list[str]) -> list[Fact]:
    found: dict[str, Fact] = {}
    for cube_id in cube_ids:
        for fact in routes_facts.cube_facts(cube_id, caller, services):
            found.setdefault(fact.id, fact)
    return list(found.values())


def _entity(services: Services, caller: Caller, name: str | None, entity_ref: str | None) -> Entity:
    if (name is None) == (entity_ref is None):
        raise ToolError("give exactly one of name or entity_id (422 validation). Fix the arguments and call again.")
    if entity_ref is not None:
        return routes_facts.get_entity(entity_ref, caller, services)
    from memcubedb.extraction.resolution import entity_id

    try:
        return routes_facts.get_entity(entity_id(name or ""), caller, services)
    except NotFound:
        raise NotFound(f"no entity named {name!r}") from None


def _tool(server: MCPServer, annotations: ToolAnnotations, description: str | None = None) -> Callable[[F], F]:
    """Register a tool with its docstring (or ``description``) as one paragraph, as hosts show it."""

    def register(fn: F) -> F:
        server.add_tool(fn, description=" ".join((description or fn.__doc__ or "").split()), annotations=annotations)
        return fn

    return register


def register_tools(server: MCPServer, backend: McpBackend) -> None:
    """Add MemCubeDB's memory tools to ``server``; each acts as the caller of ``backend``."""
    read_only = ToolAnnotations(read_only_hint=True, open_world_hint=False)
    writes = ToolAnnotations(read_only_hint=False, destructive_hint=False, open_world_hint=False)

    @_tool(server, annotations=ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=True,
                                             open_world_hint=False))
    def add_memory(
        ctx: Context,
        text: Annotated[str | None, Field(min_length=1, max_length=1_000_000,
                                          description="a text or document to remember")] = None,
        turns: Annotated[list[ChatTurn] | None, Field(min_length=1, max_length=10_000,
                                                      description="a conversation to remember, turn by turn")] = None,
        uri: Annotated[str | None, Field(min_length=1, max_length=2048,
                                         description="stable name of the source (file, URL, chat id); default: "
                                                     "derived from the content, so adding it again changes nothing")
                       ] = None,
        timestamp: Annotated[Timestamp | None, Field(description="when the text was written (ISO 8601); relative "
                                                                 "dates in it are resolved against this")] = None,
        format: Annotated[Literal["text", "markdown"], Field(description="for text")] = "text",
        tags: Annotated[list[str], Field(max_length=64, description="labels added to every memory")] = [],  # noqa: B006
    ) -> AddMemoryOut:
        """Remember a text or a conversation. Give `text` (a note, a document) or `turns` (chat turns with
        speaker and optional time), not both. MemReader splits it into memories, extracts entities and facts
        (subject, predicate, object), resolves pronouns to speakers and relative dates against the time, and
        stores everything in one transaction. Returns the memory ids and the extracted facts. Needs a writer key."""
        with mcp_errors():
            services, caller = backend.caller(ctx, Capability.WRITE)
            if (text is None) == (turns is None):
                raise ToolError("give exactly one of text or turns (422 validation). Fix the arguments and call "
                                "again; nothing was written.")
            response = Response()
            if text is not None:
                body = AddText.model_validate(_given(text=text, uri=uri, format=format, timestamp=timestamp,
                                                     tags=tags))
                result = routes_cubes.add_text(body, caller, services, response)
            else:
                result = routes_cubes.add_chat(_chat(caller.principal, turns or [], uri, tags), caller, services,
                                               response)
            ids = [c.id for c in result.cubes]
            memories = [MemoryBrief.of(c) for c in cubes_by_ids(services.store, caller.principal, ids)]
            return AddMemoryOut(written=result.written, skipped=result.skipped, memories=memories,
                                facts=_facts(services, caller, ids))

    @_tool(server, annotations=read_only)
    def search_memory(
        ctx: Context,
        query: Annotated[str, Field(min_length=1, max_length=2000, description="what to look for, in words")],
        k: Annotated[int, Field(ge=1, le=100, description="number of results")] = 10,
        recipe: Annotated[str | None, Field(description=f"search recipe, one of {sorted(RECIPES)} (default: the "
                                                        "server's; 'conversation' suits chat memories)")] = None,
        memory_types: Annotated[list[MemoryType] | None, Field(description="keep only these memory types")] = None,
        occurred_from: Annotated[Timestamp | None, Field(description="keep memories said/dated at or after this "
                                                                     "instant (ISO 8601)")] = None,
        occurred_to: Annotated[Timestamp | None, Field(description="… at or before this instant")] = None,
        valid_at: Annotated[Timestamp | None, Field(description="drop memories asserting facts not valid then")
                            ] = None,
        source: Annotated[str | None, Field(min_length=1, max_length=2048,
                                            description="keep memories read from a source whose URI starts with "
                                                        f"this (applied to the best {SOURCE_SCAN} hits)")] = None,
    ) -> SearchOut:
        """Search the memories this key may read: vector, full-text and graph channels fused by reciprocal rank
        fusion, best first. Each result has the memory id, its text, the fused score, the channels that found it
        and a provenance summary (source URIs, chat turn ids, when it was said). Use it before answering anything
        about the user or earlier conversations."""
        with mcp_errors():
            services, caller = backend.caller(ctx, Capability.READ)
            filters = _given(memory_types=[m.value for m in memory_types] if memory_types else None,
                             occurred_from=occurred_from, occurred_to=occurred_to, valid_at=valid_at)
            body = SearchIn(query=query, k=SOURCE_SCAN if source else k, recipe=recipe,
                            filters=SearchFilters(**filters) if filters else None)
            found = routes_search.search(body, caller, services)
            if source is not None:
                kept = [r for r in found.results if any(u.startswith(source) for u in r.uris)]
                found = SearchOut(results=kept[:k])
            return found

    @_tool(server, annotations=read_only)
    def get_memory(
        ctx: Context, memory_id: Annotated[str, Field(min_length=1, max_length=512, description="a memory id")]
    ) -> MemoryOut:
        """One memory in full: descriptive metadata (type, timestamps, tags), governance (owner, lifecycle state,
        version, TTL), behaviour (access count, scores, lineage), its payload, the facts it asserts and its
        provenance chain (sources with offsets, activities, agents, the memories it derives from)."""
        with mcp_errors():
            services, caller = backend.caller(ctx, Capability.READ)
            cube = routes_cubes.get_cube(memory_id, caller, services)
            return MemoryOut(memory=cube, facts=routes_facts.cube_facts(memory_id, caller, services),
                             provenance=routes_cubes.provenance(memory_id, caller, services))

    @_tool(server, annotations=writes)
    def update_memory(
        ctx: Context,
        memory_id: Annotated[str, Field(min_length=1, max_length=512, description="the latest version's id")],
        text: Annotated[str | None, Field(min_length=1, max_length=100_000, description="the corrected text")
                        ] = None,
        tags: Annotated[list[str] | None, Field(max_length=64, description="the new tags (replace the old)")] = None,
        semantic_type: Annotated[str | None, Field(max_length=64)] = None,
        priority: Annotated[int | None, Field(ge=0, le=100)] = None,
        ttl_s: Annotated[int | None, Field(ge=1, description="time to live, seconds")] = None,
    ) -> CubeOut:
        """Correct a memory: writes a new version (new id, version + 1) that supersedes it; the old version stays
        for provenance. Give at least one change. Needs a writer key and the right to write that memory (its
        owner or a CAN_WRITE grant). Returns the new version."""
        with mcp_errors():
            services, caller = backend.caller(ctx, Capability.WRITE)
            body = CubeUpdate.model_validate(_given(text=text, tags=tags, semantic_type=semantic_type,
                                                    priority=priority, ttl_s=ttl_s))
            return routes_cubes.update_cube(memory_id, body, caller, services)

    @_tool(server, annotations=ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=True,
                                             open_world_hint=False))
    def delete_memory(
        ctx: Context,
        memory_id: Annotated[str, Field(min_length=1, max_length=512, description="a memory id")],
        purge: Annotated[bool, Field(description="also remove the node and the facts no other memory asserts")
                         ] = False,
    ) -> DeleteOut:
        """Forget a memory: moves it to the deleted state (search and reads no longer return it); with `purge`
        it is removed from the graph. Needs a writer key and the right to write that memory."""
        with mcp_errors():
            services, caller = backend.caller(ctx, Capability.WRITE)
            routes_cubes.delete_cube(memory_id, caller, services, purge)
            return DeleteOut(id=memory_id, purged=purge)

    @_tool(server, annotations=writes)
    def remember(
        ctx: Context,
        request: Annotated[str, Field(min_length=1, max_length=10_000,
                                      description="e.g. 'remember that Alice moved to Lyon', 'forget what I said "
                                                  "about Bob', 'actually it's Lyon, not Paris', 'what do you know "
                                                  "about Alice?'")],
        execute: Annotated[bool, Field(description="run the operations (false: only show how it was parsed)")
                           ] = True,
    ) -> NaturalOut:
        """A memory request in plain language: intent parsing turns it into add, delete, update or search
        operations and runs them as this key's principal (deletes and updates only touch memories it may write
        whose text contains the words named). Returns each operation and the memory ids it touched. Running
        needs a writer key; execute=false only parses."""
        with mcp_errors():
            services, caller = backend.caller(ctx, Capability.READ)
            return routes_natural.natural(NaturalIn(text=request, execute=execute), caller, services)

    @_tool(server, annotations=read_only)
    def about_entity(
        ctx: Context,
        name: Annotated[str | None, Field(min_length=1, max_length=512, description="the entity's name, "
                                                                                    "e.g. 'Alice'")] = None,
        entity_id: Annotated[str | None, Field(min_length=1, max_length=512, description="or its id")] = None,
        limit: Annotated[int, Field(ge=1, le=1000, description="most facts")] = 100,
    ) -> EntityOut:
        """Everything known about a person, place or thing: the entity, the facts (subject, predicate, object)
        in which it is subject or object, and the memories those facts came from. Give `name` or `entity_id`."""
        with mcp_errors():
            services, caller = backend.caller(ctx, Capability.READ)
            entity = _entity(services, caller, name, entity_id)
            facts = routes_facts.find_facts(caller, services, entity_id=entity.id, limit=limit).items
            ids = list(dict.fromkeys(i for f in facts for i in f.cube_ids))[:ABOUT_MEMORIES]
            memories = [MemoryBrief.of(c) for c in cubes_by_ids(services.store, caller.principal, ids)]
            return EntityOut(entity=entity, facts=facts, memories=memories)

    @_tool(server, annotations=read_only)
    def run_cypher(
        ctx: Context,
        query: Annotated[str, Field(min_length=1, max_length=20_000, description="read-only Cypher; put values in "
                                                                               "$parameters")],
        parameters: Annotated[dict[str, Any], Field(description="query parameters by name")] = {},  # noqa: B006
        limit: Annotated[int | None, Field(ge=1, description="row limit (at most the server's)")] = None,
        timeout_s: Annotated[float | None, Field(gt=0, description="seconds (at most the server's)")] = None,
    ) -> CypherOut:
        """Analysts only: run a read-only Cypher query on the whole memory graph (MemCube, Entity, Fact, Source,
        Activity, Agent nodes; ASSERTS, MENTIONS, RELATES, EXTRACTED_FROM, GENERATED_BY, SUPERSEDES, … edges;
        schema in cypher/README.md). Runs in a read transaction with a timeout and a row limit; writes are
        refused. Rows come back as JSON objects keyed by column."""
        with mcp_errors():
            services, caller = backend.caller(ctx, Capability.CYPHER)
            body = CypherIn.model_validate(_given(query=query, parameters=parameters, limit=limit,
                                                  timeout_s=timeout_s))
            return routes_cypher.run_cypher(body, caller, services)

    @_tool(server, annotations=writes)
    def chat(
        ctx: Context,
        messages: Annotated[list[Message], Field(min_length=1, description="the conversation so far, OpenAI style: "
                                                                          "{role: user|assistant|system, content}")],
        max_tokens: Annotated[int | None, Field(ge=1, description="longest answer, tokens")] = None,
        temperature: Annotated[float | None, Field(ge=0.0, le=2.0, description="0 = deterministic")] = None,
        memory_types: Annotated[list[MemoryTypeName] | None, Field(description="which memory types to use "
                                                                               "(default all three)")] = None,
        write_back: Annotated[bool, Field(description="store this exchange as a chat memory (writer keys)")
                              ] = False,
    ) -> ChatOut:
        """Answer the conversation with this key's memories in context, as POST /v1/chat/completions does: KV
        templates as the cached prefix (activation), a memory block from hybrid search (plaintext), the active
        LoRA adapter (parametric). Returns the answer and the memories it used."""
        with mcp_errors():
            services, caller = backend.caller(ctx, Capability.READ)
            options = MemoryOptions.model_validate(_given(memory_types=memory_types, write_back=write_back))
            request = ChatRequest(messages=messages, max_tokens=max_tokens, temperature=temperature, memcubedb=options)
            try:
                done = services.chat.complete(caller.principal, request, may_write=caller.can(Capability.WRITE))
            except ChatError as exc:
                raise ToolError(f"{exc} ({type(exc).__name__}). Shorten the conversation, lower max_tokens or "
                                "retry later, as the message says.") from None
            choice = done.choices[0]
            return ChatOut(answer=choice.message.content or "", finish_reason=choice.finish_reason, model=done.model,
                           memory=done.memcubedb)

    saved = "; ".join(f"{q.name}: {q.purpose}" for q in map(routes_cypher.describe, saved_queries().values()))

    @_tool(server, annotations=read_only, description=(
        "Analysts only: run a saved analyst query of the library by name, with its parameters (parameters left "
        "out are null; each query has defaults). The list with parameters and columns is the resource "
        f"memcubedb://saved-queries. Saved queries — {saved}"))
    def saved_query(
        ctx: Context,
        name: Annotated[str, Field(min_length=1, max_length=256, description="the saved query's name")],
        parameters: Annotated[dict[str, Any], Field(description="its parameters by name")] = {},  # noqa: B006
        limit: Annotated[int | None, Field(ge=1, description="row limit (at most the server's)")] = None,
    ) -> CypherOut:
        with mcp_errors():
            services, caller = backend.caller(ctx, Capability.CYPHER)
            body = SavedRun.model_validate(_given(parameters=parameters, limit=limit))
            return routes_cypher.run_saved(name, body, caller, services)


def build_mcp(backend: McpBackend) -> MCPServer:
    """A new MCP server (``MCPServer`` of the official SDK) with MemCubeDB's tools and resources acting
    through ``backend``; it announces the installed ``memcubedb`` package version."""
    server = GuardedMCPServer(backend, SERVER_NAME, title="MemCubeDB", version=version("memcubedb"),
                              instructions=INSTRUCTIONS, log_level="WARNING")
    register_tools(server, backend)
    register_resources(server, backend)
    return server
