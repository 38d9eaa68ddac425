"""The dashboard's chat panel end to end: Debian's headless Chromium against the page uvicorn serves,
answers from the small random Llama of ``tests/chat_fixtures.py`` with the caller's memories.

Screenshots go to ``test-artifacts/dashboard/``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from selenium.webdriver import Chrome

from memcubedb.api.server.dashboard import DIST
from memcubedb.config.scheduler import LoRAConfig
from tests.api_helpers import Keys
from tests.e2e import browser
from tests.e2e.page import Dashboard

pytest_plugins = ["tests.api_fixtures", "tests.chat_fixtures"]
pytestmark = pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))


@pytest.fixture(scope="module")
def driver() -> Iterator[Chrome]:
    """One headless Chromium (fresh profile) for the module."""
    with browser.chromium() as d:
        yield d


def test_chat_panel_shows_each_answer_with_its_memories_by_type(
    driver: Chrome, serve_chat: Any, keys: Keys, memories: Any
) -> None:
    assert (DIST / "index.html").is_file(), "the dashboard is not built: run `make dashboard`"
    template = memories.template("alice", "Alice's bee hives stand behind the cider press.")
    note = memories.plaintext("alice", "Alice moved the bee hives in April.")
    adapter = memories.adapter("alice", [("Hive", "faces", "south")], LoRAConfig(rank=4, alpha=8, epochs=2))
    memories.plaintext("bob", "Bob's hives are a secret: CANARYBOBHIVES.")
    url, _ = serve_chat()
    page = Dashboard(driver, url)
    page.open("/")
    driver.execute_script("sessionStorage.clear()")
    page.open("/")
    page.enter_key(keys.keys["alice"])
    page.wait_nodes(lambda nodes: len(nodes) > 0)

    page.scroll_into_view("#chat")
    page.el("#chat-input").send_keys("Where are the bee hives?")
    page.el("#chat-form button[type='submit']").click()
    page.wait(lambda d: page.all("#chat-log .chat-memories"))
    answer = page.text("#chat-log .chat-answer")
    assert answer.startswith("Answer:") and "CANARYBOBHIVES" not in answer
    used = {kind: page.attributes(f"[data-memory-type='{kind}'] [data-memory-id]", "data-memory-id")
            for kind in ("activation", "plaintext", "parametric")}  # fmt: skip
    assert used["activation"] == [template] and note in used["plaintext"] and used["parametric"] == [adapter]
    assert "cached KV prefix" in answer or "adapter applied" in answer
    page.screenshot("chat-answer")

    page.el(f"[data-memory-type='plaintext'] [data-memory-id='{note}']").click()
    assert "Alice moved the bee hives" in page.wait_text("#detail-body", "Alice moved the bee hives")
    assert "Provenance" in page.text("#detail") or "provenance" in page.text("#detail").lower()

    page.el("#chat-input").send_keys("And who moved them?")
    page.el("#chat-form button[type='submit']").click()
    page.wait(lambda d: len(page.all("#chat-log .chat-memories")) == 2)
    assert len(page.all("#chat-log .chat-user")) == 2
    page.el("#chat-reset").click()
    assert page.all("#chat-log li") == []
