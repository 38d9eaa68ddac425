"""The dashboard page as the API serves it: the built index, its assets, the security headers."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from memcubedb.api.server import dashboard


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    app.include_router(dashboard.router)
    return TestClient(app)


@pytest.mark.skipif(not (dashboard.DIST / "index.html").is_file(), reason="dashboard not built (make dashboard)")
def test_page_and_its_assets_are_served_same_origin(client: TestClient) -> None:
    for path in ("/", "/dashboard", "/dashboard/"):
        page = client.get(path)
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "<title>MemCubeDB dashboard</title>" in page.text
    assets = re.findall(r'(?:src|href)="(/dashboard/assets/[^"]+)"', client.get("/").text)
    assert {Path(a).suffix for a in assets} == {".js", ".css"}
    for asset in assets:
        res = client.get(asset)
        assert res.status_code == 200 and "immutable" in res.headers["cache-control"]
    script = next(a for a in assets if a.endswith(".js"))
    assert client.get(script).headers["content-type"].startswith("text/javascript")


def test_no_file_outside_the_build_is_served(client: TestClient) -> None:
    for name in ("..%2F..%2Fdashboard.py", "%2E%2E", ".hidden", "nope.js"):
        assert client.get(f"/dashboard/assets/{name}").status_code == 404
    assert client.get("/dashboard/assets/../dashboard.py").status_code == 404


def test_unbuilt_page_says_how_to_build_it(client: TestClient, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(dashboard, "DIST", tmp_path)
    res = client.get("/dashboard")
    assert res.status_code == 503 and "make dashboard" in res.text
