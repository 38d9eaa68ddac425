"""Helpers of the API, SDK and CLI tests: the test principals' keys, the problem+json assertion."""

from __future__ import annotations

from dataclasses import dataclass

from memcubedb.graph.permissions import Role

PRINCIPALS = {"alice": Role.WRITER, "bob": Role.WRITER, "carol": Role.READER, "ana": Role.ANALYST, "root": Role.ADMIN}
"""The principals every API test starts with, and the role of their key."""


@dataclass
class Keys:
    """Plain API keys by principal, and the header dicts that send them."""

    keys: dict[str, str]

    def __getitem__(self, principal: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[principal]}"}


def assert_problem(response: object, status: int, *, field: str | None = None) -> dict[str, object]:
    """Assert an RFC 9457 problem answer with ``status`` (naming ``field`` when given); return its body."""
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("application/problem+json")  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["status"] == status
    assert body["type"].startswith("urn:memcubedb:problem:")
    assert body["title"] and body["detail"] and body["instance"].startswith("/")
    if field is not None:
        assert field in [e["field"] for e in body["errors"]], body
        assert field in body["detail"]
    return body
