"""Bad input: well over 1,000 malformed requests, generated from the API's own OpenAPI document,
sent over real HTTP to uvicorn on loopback. Each must get the right 4xx as RFC 9457 problem+json
with a message (422 naming the offending field for validation errors), and the server must be
healthy — and the graph unchanged — afterwards. The limits are documented in ``docs/limits.md``.

Kinds of malformation: wrong JSON types and out-of-range values for every body field (nested ones
too), missing required fields, unexpected fields, over-long strings, bodies that are not objects,
broken JSON, invalid UTF-8, deeply nested JSON, oversized bodies (declared and chunked), bad query
parameters (out-of-range pagination, bad enums, dates, booleans, cursors), unknown ids, missing or
bad API keys, and methods a path does not have.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from memcubedb.graph.store import GraphStore
from tests.api_fixtures import API_CONFIG
from tests.api_helpers import Keys
from tests.factories import cube_write

pytest_plugins = ["tests.api_fixtures"]

LIMIT = API_CONFIG.max_body_bytes
BASE_BODIES: dict[tuple[str, str], Any] = {
    ("post", "/v1/cubes"): {"text": "Alice works at Acme.", "tags": ["x"]},
    ("post", "/v1/cubes/document"): {"uri": "doc://bad", "text": "Alice works at Acme."},
    ("post", "/v1/cubes/chat"): {"uri": "chat://bad", "turns": [{"speaker": "Ann", "text": "Hi.", "turn_id": "t1"}]},
    ("patch", "/v1/cubes/{cube_id}"): {"text": "edited", "priority": 10},
    ("post", "/v1/cubes/{cube_id}/facts"): {"subject": {"name": "A"}, "predicate": "p", "object": {"name": "B"},
                                            "confidence": 0.5},
    ("patch", "/v1/cubes/{cube_id}/facts/{fact_id}"): {"predicate": "q", "negated": True},
    ("post", "/v1/search"): {"query": "acme", "k": 5},
    ("post", "/v1/cubes/{cube_id}/grants"): {"grantee": "bob", "right": "CAN_READ"},
    ("put", "/v1/cubes/{cube_id}/space"): {"space_id": "s1"},
    ("post", "/v1/spaces/{space_id}/grants"): {"grantee": "bob", "right": "CAN_READ"},
    ("post", "/v1/groups/{group_id}/members"): {"member": "bob"},
    ("post", "/v1/keys"): {"principal": "zed", "role": "reader", "name": "k"},
    ("post", "/v1/scheduler/promote"): {"cube_id": "c", "score": 0.5},
    ("post", "/v1/scheduler/encode"): {"fact_ids": ["f"]},
    ("post", "/v1/scheduler/demote"): {"cube_id": "c", "reason": "r"},
    ("post", "/v1/export"): {"cube_ids": ["c"], "limit": 10},
    ("post", "/v1/import"): {"cubes": []},
    ("post", "/v1/natural"): {"text": "remember that Ann likes tea", "execute": False},
    ("post", "/v1/graph/neighbourhood"): {"seeds": ["c"], "limit": 10, "edge_limit": 10},
    ("post", "/v1/cypher"): {"query": "RETURN 1", "limit": 5, "timeout_s": 1.0},
    ("post", "/v1/cypher/queries/{name}"): {"parameters": {}, "limit": 5},
}
UNKNOWN_IDS = ["no-such-thing", str(uuid.uuid4()), "x" * 300, "ünïcødé-id", "a%00b", "..%2F..%2Fetc"]
NOT_FOUND_ROUTES = [
    ("get", "/v1/cubes/{cube_id}"), ("delete", "/v1/cubes/{cube_id}"), ("patch", "/v1/cubes/{cube_id}"),
    ("get", "/v1/cubes/{cube_id}/provenance"), ("get", "/v1/cubes/{cube_id}/facts"),
    ("post", "/v1/cubes/{cube_id}/facts"), ("patch", "/v1/cubes/{cube_id}/facts/{fact_id}"),
    ("delete", "/v1/cubes/{cube_id}/facts/{fact_id}"), ("get", "/v1/facts/{fact_id}"),
    ("get", "/v1/entities/{entity_id}"), ("post", "/v1/cubes/{cube_id}/grants"),
    ("delete", "/v1/cubes/{cube_id}/grants/{grantee}/{right}"), ("put", "/v1/cubes/{cube_id}/space"),
    ("delete", "/v1/keys/{key_id}"), ("get", "/v1/scheduler/jobs/{job_id}"), ("get", "/v1/graph/cubes/{cube_id}"),
    ("get", "/v1/cypher/queries/{name}"), ("post", "/v1/cypher/queries/{name}"),
]
JSON_VALUES = {"string": "wrong", "integer": 12345, "number": 1.5, "boolean": True, "array": [1, "x"],
               "object": {"x": 1}, "null": None}
GRAPH_SIZE = "CALL () { MATCH (n) RETURN count(n) AS n } CALL () { MATCH ()-[r]->() RETURN count(r) AS r } RETURN *"
JSON_HEADERS = {"content-type": "application/json"}


@dataclass
class Case:
    """One malformed request and the status it must get (``field``: the field a 422 must name)."""

    what: str
    method: str
    path: str
    status: int | tuple[int, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)
    field: str | None = None


class Spec:
    """The OpenAPI document with ``$ref`` resolution and the JSON types a schema allows."""

    def __init__(self, doc: dict[str, Any]) -> None:
        self.doc = doc

    def resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        while "$ref" in schema:
            schema = self.doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
        return schema

    def kinds(self, schema: dict[str, Any]) -> set[str]:
        schema = self.resolve(schema)
        options = schema.get("anyOf") or schema.get("oneOf")
        if options:
            return set().union(*(self.kinds(o) for o in options))
        if "enum" in schema or "const" in schema:
            return {"enum"}
        kind = schema.get("type")
        if kind is None:
            return set(JSON_VALUES)  # any JSON value
        return {kind} | ({"number"} if kind == "integer" else set())

    def body_schema(self, method: str, path: str) -> dict[str, Any]:
        op = self.doc["paths"][path][method]
        return self.resolve(op["requestBody"]["content"]["application/json"]["schema"])


def _fill(path: str, ids: dict[str, str] | None = None) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: (ids or {}).get(m.group(1), "CAN_READ" if m.group(1) == "right" else
                                                              f"unknown-{m.group(1)}"), path)


def _wrong_values(spec: Spec, schema: dict[str, Any]) -> list[tuple[str, Any]]:
    allowed = spec.kinds(schema)
    s = spec.resolve(schema)
    lax = {"boolean"} if allowed & {"integer", "number", "enum"} else set()  # JSON true is 1 to pydantic
    if s.get("format") == "date-time" or any(o.get("format") == "date-time" for o in s.get("anyOf", [])):
        lax |= {"integer", "number"}  # a date-time may be given as Unix seconds
    out = [(f"as {k}", v) for k, v in JSON_VALUES.items() if k not in allowed | lax
           and not (k == "integer" and "number" in allowed)]
    if allowed == {"enum"}:
        out.append(("not in the enum", "NOT_A_VALUE"))
    for key, make in (("maxLength", lambda n: "x" * (n + 1)), ("minLength", lambda n: "" if n == 1 else None),
                      ("maximum", lambda n: n + 1), ("minimum", lambda n: n - 1),
                      ("exclusiveMaximum", lambda n: n), ("exclusiveMinimum", lambda n: n),
                      ("maxItems", lambda n: ["x"] * (n + 1) if n <= 100 else None),
                      ("minItems", lambda n: [] if n == 1 else None)):
        if key in s and make(s[key]) is not None:
            out.append((f"{key} {s[key]} broken", make(s[key])))
    if s.get("format") == "date-time":
        out.append(("not a date-time", "next tuesday-ish"))
        out.append(("not within Neo4j's ±18:00 UTC offsets", "2024-05-01T10:00:00+20:07"))
        out.append(("not within years 1 to 9999 in UTC", "0001-01-01T00:00:00+05:00"))
    return out


def _body_cases(spec: Spec, method: str, path: str, base: dict[str, Any]) -> Iterator[Case]:
    schema = spec.body_schema(method, path)
    url = _fill(path)

    def fields(obj: dict[str, Any], sch: dict[str, Any], prefix: list[str]) -> Iterator[Case]:
        sch = spec.resolve(sch)
        props = sch.get("properties", {})
        for name in sch.get("required", []):
            broken = {k: v for k, v in obj.items() if k != name}
            yield Case(f"missing {'.'.join([*prefix, name])}", method, url, 422,
                       {"json": _nest(base, prefix, broken)}, ".".join(["body", *prefix, name]))
        if sch.get("additionalProperties") is False:
            yield Case(f"unexpected field in {'.'.join(prefix) or 'body'}", method, url, 422,
                       {"json": _nest(base, prefix, {**obj, "surprise": 1})})
        for name, prop in props.items():
            for label, value in _wrong_values(spec, prop):
                size = len(str(value))
                status = 413 if size > LIMIT else 422
                yield Case(f"{'.'.join([*prefix, name])} {label}", method, url, status,
                           {"json": _nest(base, prefix, {**obj, name: value})},
                           ".".join(["body", *prefix, name]) if status == 422 else None)
            value = obj.get(name)
            item = spec.resolve(prop)
            if isinstance(value, dict) and item.get("properties"):
                yield from fields(value, item, [*prefix, name])
            if isinstance(value, list) and value and isinstance(value[0], dict) and "items" in item:
                yield from fields(value[0], item["items"], [*prefix, name, "0"])

    yield from fields(base, schema, [])
    for label, value in (("a list", []), ("a string", "text"), ("a number", 5), ("null", None)):
        yield Case(f"body is {label}", method, url, 422, {"json": value})
    for label, raw, status in (
        ("empty", b"", 422), ("truncated JSON", b'{"a": ', (400, 422)), ("not JSON", b"hello", (400, 422)),
        ("invalid UTF-8", b'{"text": "\xff\xfe\xfd"}', 400), ("deeply nested JSON", b"[" * 40_000 + b"]" * 40_000, 400),
        ("a 5,000-digit number", b'{"k": 1' + b"0" * 5000 + b"}", 400),
        ("NaN", b'{"k": NaN}', (400, 422)), ("oversized", b'{"text": "' + b"a" * (LIMIT + 10) + b'"}', 413),
    ):
        yield Case(f"body {label}", method, url, status, {"content": raw, "headers": JSON_HEADERS})
    chunked = {"content": _chunks(LIMIT + 4096), "headers": JSON_HEADERS}
    yield Case("body chunked past the limit", method, url, 413, chunked)
    yield Case("body as text/plain", method, url, 422, {"content": b"{}", "headers": {"content-type": "text/plain"}})


def _chunks(total: int) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        sent += 4096
        yield b" " * 4096


def _nest(base: dict[str, Any], prefix: list[str], obj: dict[str, Any]) -> dict[str, Any]:
    """``base`` with the object at ``prefix`` replaced by ``obj``."""
    if not prefix:
        return obj
    copy: Any = dict(base)
    node = copy
    for key in prefix[:-1]:
        child = node[int(key)] if isinstance(node, list) else node[key]
        child = list(child) if isinstance(child, list) else dict(child)
        if isinstance(node, list):
            node[int(key)] = child
        else:
            node[key] = child
        node = child
    last = prefix[-1]
    if isinstance(node, list):
        node[int(last)] = obj
    else:
        node[last] = obj
    return copy


def _query_cases(spec: Spec) -> Iterator[Case]:
    for path, ops in spec.doc["paths"].items():
        for method, op in ops.items():
            params = [p for p in op.get("parameters", []) if p["in"] == "query"]
            url = _fill(path)
            valid = {p["name"]: "q" for p in params if p.get("required")}
            for p in params:
                if "array" in spec.kinds(p["schema"]):
                    continue  # a repeated query parameter: any text is an item
                for label, value in _wrong_values(spec, p["schema"]):
                    if value is None or isinstance(value, dict | list):
                        continue
                    text = str(value).lower() if isinstance(value, bool) else str(value)
                    if "string" in spec.kinds(p["schema"]) and not label.startswith(("max", "min", "not")):
                        continue  # any text is a valid string parameter
                    yield Case(f"query {p['name']} {label}", method, url, 422,
                               {"params": {**valid, p["name"]: text}, **_body_kwargs(method, path)},
                               f"query.{p['name']}")
                if "boolean" in spec.kinds(p["schema"]):
                    yield Case(f"query {p['name']} maybe", method, url, 422,
                               {"params": {**valid, p["name"]: "maybe"}, **_body_kwargs(method, path)},
                               f"query.{p['name']}")
                if p.get("required"):
                    yield Case(f"query {p['name']} missing", method, url, 422, _body_kwargs(method, path),
                               f"query.{p['name']}")
    yield Case("cursor not made by the API", "get", "/v1/cubes", 422, {"params": {"cursor": "not-a-cursor"}})
    yield Case("cursor of bad JSON", "get", "/v1/cubes", 422, {"params": {"cursor": "W10"}})


def _body_kwargs(method: str, path: str) -> dict[str, Any]:
    body = BASE_BODIES.get((method, path))
    return {"json": body} if body is not None else {}


def _other_cases(spec: Spec) -> Iterator[Case]:
    for method, path in NOT_FOUND_ROUTES:
        for unknown in UNKNOWN_IDS:
            ids = {name: quote(unknown, safe="%") for name in re.findall(r"\{(\w+)\}", path) if name != "right"}
            yield Case(f"unknown id {unknown[:20]!r}", method, _fill(path, ids), 404, _body_kwargs(method, path))
    for path, ops in spec.doc["paths"].items():
        url = _fill(path)
        for method in ops:
            if path == "/v1/health" or not path.startswith("/v1/") or path.startswith("/v1/dashboard"):
                continue
            for label, headers in (("no API key", {}), ("unknown API key", {"X-API-Key": "mcdb_nope_" + "x" * 43}),
                                   ("malformed key", {"Authorization": "Bearer not-a-key"}),
                                   ("10,000-character key", {"X-API-Key": "k" * 10_000})):
                yield Case(f"{label}", method, url, 401, {"headers": {**headers, "_no_auth": "1"}})
        missing = [m for m in ("get", "post", "put", "patch", "delete") if m not in ops and not _routed(spec, m, path)]
        if missing and path.startswith("/v1/"):
            yield Case(f"method {missing[0].upper()} not allowed", missing[0], url, 405)
    for unknown in ("/v1/nope", "/v2/cubes", "/v1/cubes/a/b/c/d"):
        yield Case("unknown route", "get", unknown, 404)


def _routed(spec: Spec, method: str, path: str) -> bool:
    """Whether another path template answers ``method`` for this literal path (``/v1/cubes/chat``)."""
    for other, ops in spec.doc["paths"].items():
        pattern = "^" + re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(other)) + "$"
        if other != path and method in ops and re.match(pattern, path):
            return True
    return False


def all_cases(spec: Spec) -> list[Case]:
    cases = []
    for (method, path), base in BASE_BODIES.items():
        cases += list(_body_cases(spec, method, path, base))
    return cases + list(_query_cases(spec)) + list(_other_cases(spec))


@pytest.fixture
def http(live_server: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live_server, timeout=120) as client:
        yield client


def test_malformed_requests_get_the_right_problem(http: httpx.Client, keys: Keys, store: GraphStore) -> None:
    store.write_cubes([cube_write("Alice works at Acme.", owner="alice")])
    spec = Spec(http.get("/openapi.json").json())
    cases = all_cases(spec)
    assert len(cases) >= 1000, len(cases)
    before = store.read(GRAPH_SIZE)
    wrong: list[str] = []
    for case in cases:
        kwargs = dict(case.kwargs)
        headers = dict(kwargs.pop("headers", {}))
        if not headers.pop("_no_auth", None):
            headers.update(keys["root"])
        r = http.request(case.method.upper(), case.path, headers=headers, **kwargs)
        expected = case.status if isinstance(case.status, tuple) else (case.status,)
        problem = r.headers.get("content-type", "").startswith("application/problem+json")
        body = r.json() if problem else {}
        named = case.field is None or r.status_code != 422 or any(
            e["field"].startswith(case.field) or case.field.startswith(e["field"]) for e in body.get("errors", [])
        )
        if r.status_code not in expected or not problem or not body.get("detail") or not named:
            wrong.append(f"{case.method.upper()} {case.path} [{case.what}]: {r.status_code} {r.text[:160]}")
    print(f"bad input: {len(cases)} malformed requests, {len(cases) - len(wrong)} answered as required")
    assert wrong == [], f"{len(wrong)} of {len(cases)} wrong:\n" + "\n".join(wrong[:40])
    assert store.read(GRAPH_SIZE) == before  # nothing malformed was written
    assert http.get("/v1/health").status_code == 200
    assert http.get("/v1/cubes", headers=keys["alice"]).json()["items"][0]["payload"]["text"] == "Alice works at Acme."


def test_every_limit_of_the_spec_is_documented(http: httpx.Client) -> None:
    spec = Spec(http.get("/openapi.json").json())
    doc = (Path(__file__).resolve().parents[1] / "docs" / "limits.md").read_text(encoding="utf-8")
    limits: set[int] = set()

    def collect(schema: dict[str, Any], depth: int = 0) -> None:
        schema = spec.resolve(schema)
        if depth > 6:
            return
        limits.update(int(schema[k]) for k in ("maxLength", "maxItems", "maximum") if k in schema)
        for option in schema.get("anyOf", []):
            collect(option, depth + 1)
        for prop in schema.get("properties", {}).values():
            collect(prop, depth + 1)
        if "items" in schema:
            collect(schema["items"], depth + 1)

    for ops in spec.doc["paths"].values():
        for op in ops.values():
            for p in op.get("parameters", []):
                collect(p["schema"])
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
            if body:
                collect(body)
    undocumented = sorted(n for n in limits if f"{n:,}" not in doc)
    assert len(limits) >= 15 and undocumented == []
