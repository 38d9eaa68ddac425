"""Load (CI variant): 50 concurrent clients mixing adds and searches against uvicorn on loopback
for a few seconds — no errors, every request answered, the server healthy afterwards. The figures
come from the long variant, ``bench/load.py`` (this test asserts no timing).
"""

from __future__ import annotations

import asyncio

import httpx

from tests.api_helpers import Keys
from tests.support.load import run_load, seed_memories

pytest_plugins = ["tests.api_fixtures"]


def test_fifty_clients_mixing_adds_and_searches(live_server: str, keys: Keys) -> None:
    key = keys.keys["alice"]
    asyncio.run(seed_memories(live_server, key, 20))
    result = asyncio.run(run_load(live_server, key, clients=50, seconds=6.0, add_share=0.3))
    total = result.total
    print(f"load: {len(total.latencies)} requests in 6 s from 50 clients, p50 {total.quantile(0.5):.0f} ms, "
          f"p99 {total.quantile(0.99):.0f} ms, {total.errors} errors")
    assert total.errors == 0, result.error_samples
    assert len(result.ops["add"].latencies) >= 10 and len(result.ops["search"].latencies) >= 10
    with httpx.Client(base_url=live_server, headers=keys["alice"], timeout=30) as http:
        assert http.get("/v1/health").status_code == 200
        found = http.post("/v1/search", json={"query": "Kyoto", "k": 5})
        assert found.status_code == 200
