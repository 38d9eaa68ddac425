"""The published OpenAPI document: every route documented, with response models, problem answers
and examples for the main operations; the document itself is valid OpenAPI 3.1."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient

pytest_plugins = ["tests.api_fixtures"]

PUBLIC = {("get", "/v1/health")}
WITH_EXAMPLES = {
    ("post", "/v1/cubes"), ("post", "/v1/cubes/chat"), ("post", "/v1/cubes/document"), ("patch", "/v1/cubes/{cube_id}"),
    ("post", "/v1/cubes/{cube_id}/facts"), ("post", "/v1/search"), ("post", "/v1/cypher"), ("post", "/v1/keys"),
    ("post", "/v1/cubes/{cube_id}/grants"),
}


@pytest.fixture
def spec(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, ops in spec["paths"].items() for m, op in ops.items() if p.startswith("/v1/")]


def _schema_of(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else schema


def test_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    assert spec["openapi"].startswith("3.1")
    loaded = schemathesis.openapi.from_dict(spec)
    assert len(list(loaded.get_all_operations())) == len(_operations(spec))


def test_every_route_is_documented(spec: dict[str, Any]) -> None:
    operations = _operations(spec)
    assert len(operations) >= 45
    for method, path, op in operations:
        where = f"{method.upper()} {path}"
        assert op.get("summary"), where
        assert op.get("tags"), where
        ok = [s for s in op["responses"] if s.startswith("2")]
        assert len(ok) == 1, where
        answer = op["responses"][ok[0]]
        if ok[0] != "204":
            assert answer["content"]["application/json"]["schema"], where
        if (method, path) not in PUBLIC:
            assert op.get("security"), where
            assert "401" in op["responses"], where
            assert "application/problem+json" in op["responses"]["401"]["content"], where
        if op.get("requestBody") or op.get("parameters"):
            assert "422" in op["responses"], where


def test_examples_for_the_main_operations(spec: dict[str, Any]) -> None:
    for method, path in WITH_EXAMPLES:
        body = spec["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
        assert _schema_of(spec, body).get("examples"), f"{method.upper()} {path}"


def test_security_schemes_and_problem_schema(spec: dict[str, Any]) -> None:
    schemes = spec["components"]["securitySchemes"]
    assert schemes["HTTPBearer"]["scheme"] == "bearer"
    assert schemes["APIKeyHeader"]["name"] == "X-API-Key"
    problem = spec["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    assert "nodes" in spec["paths"]["/v1/graph/overview"]["get"]["description"]
