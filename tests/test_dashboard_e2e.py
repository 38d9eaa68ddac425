"""The dashboard end to end: Debian's headless Chromium against the page uvicorn serves on
127.0.0.1, over a real graph in Neo4j. Every test asserts on what the page shows.

Screenshots go to ``test-artifacts/dashboard/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from selenium.webdriver import Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from memcubedb.api.app import create_app
from memcubedb.api.server.dashboard import DIST
from memcubedb.graph.apikeys import ApiKeys
from memcubedb.graph.permissions import Role
from memcubedb.graph.store import GraphStore
from memcubedb.settings import Settings
from tests.conftest import WIPE
from tests.e2e import browser, data
from tests.e2e.page import Dashboard
from tests.support.loopback import serve

pytestmark = pytest.mark.skipif(browser.missing() is not None, reason=str(browser.missing()))

HUB_SIZE = 150


@pytest.fixture(scope="module")
def seeded(_session_store: GraphStore) -> data.Seeded:
    """The orchard graph, Mallory's secret cube and a hub of market notes, once for the module."""
    with _session_store.session() as s:
        s.run(WIPE).consume()
    _session_store.migrate()
    ids = data.seed(_session_store)
    data.crowd(_session_store, HUB_SIZE)
    return ids


@pytest.fixture(scope="module")
def api_keys(_session_store: GraphStore, seeded: data.Seeded) -> dict[str, str]:
    """Reader keys for Alice (who owns the orchard notes) and Mallory."""
    keys = ApiKeys(_session_store)
    return {p: keys.create(p, Role.READER, name="dashboard tests")[0] for p in ("alice", "mallory")}


@pytest.fixture(scope="module")
def base_url(settings: Settings, seeded: data.Seeded) -> Iterator[str]:
    """The API with the dashboard, served by uvicorn on a free loopback port."""
    assert (DIST / "index.html").is_file(), "the dashboard is not built: run `make dashboard`"
    with serve(create_app(settings)) as url:
        yield url


@pytest.fixture(scope="module")
def driver() -> Iterator[Chrome]:
    """One headless Chromium (fresh profile) for the module."""
    with browser.chromium() as d:
        yield d


@pytest.fixture
def page(driver: Chrome, base_url: str) -> Dashboard:
    """The dashboard with no key in the tab's session storage."""
    dash = Dashboard(driver, base_url)
    dash.open("/")
    driver.execute_script("sessionStorage.clear()")
    dash.open("/")
    return dash


@pytest.fixture
def alice(page: Dashboard, api_keys: dict[str, str]) -> Dashboard:
    """The dashboard connected with Alice's key, the overview drawn."""
    page.enter_key(api_keys["alice"])
    page.wait_nodes(lambda nodes: len(nodes) > 0)
    page.wait(lambda _d: page.all("#timeline-list li"))
    return page


def _cube_entry(page: Dashboard, cube_id: str) -> str:
    return page.node_entries().get(cube_id, "")


def _omitted_cubes(text: str) -> int:
    match = re.search(r"(\d+) MemCubes", text)
    assert match, text
    return int(match.group(1))


def test_key_is_asked_once_and_kept_for_the_tab(page: Dashboard, api_keys: dict[str, str]) -> None:
    assert page.el("#key-dialog").get_attribute("open") is not None
    assert page.el("#app").get_attribute("hidden") is not None
    page.enter_key("mcdb_0000_not-a-key")
    assert "not accepted" in page.wait_text("#key-error", "not accepted")

    page.enter_key(api_keys["alice"])
    page.wait_nodes(lambda nodes: len(nodes) > 0)
    assert page.driver.execute_script("return sessionStorage.getItem('memcubedb.apiKey')") == api_keys["alice"]
    assert page.driver.execute_script("return localStorage.length") == 0

    page.driver.refresh()  # same tab: the key is kept, no dialog
    page.wait_nodes(lambda nodes: len(nodes) > 0)
    assert page.el("#key-dialog").get_attribute("open") is None

    page.el("#sign-out").click()
    assert page.el("#key-dialog").get_attribute("open") is not None
    assert page.driver.execute_script("return sessionStorage.getItem('memcubedb.apiKey')") is None


def test_overview_shows_graph_counts_and_legend(alice: Dashboard, seeded: data.Seeded) -> None:
    nodes = alice.node_list()
    assert _cube_entry(alice, seeded.founding).startswith("MemCube, Plaintext, Activated: Mira Okafor founded")
    assert _cube_entry(alice, seeded.template).startswith("MemCube, Activation (KV template), Activated:")
    assert "Entity (LOC): Tullow" in nodes
    assert sorted(alice.graph_node_ids()) == sorted(alice.node_list_ids())

    summary = alice.text("#graph-summary")
    assert summary.startswith(f"Showing {len(nodes)} nodes (")
    cubes_shown = int(re.search(r"\((\d+) MemCubes", summary).group(1))  # type: ignore[union-attr]
    omitted = alice.text("#omitted")
    assert omitted.startswith("Left out by the server (overview):")
    # Alice can read the 9 orchard cubes and the hub's notes; the overview shows a bounded part.
    assert cubes_shown + _omitted_cubes(omitted) >= 9 + HUB_SIZE

    legend = alice.text("#legend")
    for label in ("Plaintext", "Activation (KV template)", "Parametric (LoRA adapter)", "Generated", "Activated",
                  "Archived", "Entity", "Fact (subject → object)", "Promoted to", "Demoted to"):
        assert label in legend
    assert "Nightjar" not in alice.driver.page_source and "Mallory plans" not in alice.driver.page_source
    alice.screenshot("overview")


def test_search_then_click_a_node_shows_its_provenance(alice: Dashboard, seeded: data.Seeded) -> None:
    alice.search("grafting programme")
    # the first hybrid search loads the sentence-embedding model in the server: allow for it
    alice.wait_text("#view-title", "Around the results for “grafting programme”", timeout_s=120)
    results = alice.wait_text("#results-body", "Memories")
    assert "Tomas Reyes is the head grower" in results
    assert "Entities (" in results and "grafting programme" in results
    alice.wait_nodes(lambda nodes: any("Tomas Reyes is the head grower" in n for n in nodes))

    alice.click_node(seeded.grower)
    alice.wait_text("#detail-heading", "MemCube — Plaintext, Generated")
    provenance = alice.wait_text("#provenance", data.DOC_URI)
    paragraph = data.DOCUMENT.split("\n\n")[2]
    start = data.DOCUMENT.index(paragraph)
    assert f"characters {start}–{start + len(paragraph)}" in provenance
    assert "extraction MemReader" in provenance
    marks = [m.text for m in alice.all("#provenance mark")]
    assert marks == ["Tomas Reyes is the head grower", "He manages the grafting programme"]
    assert "Tomas Reyes head_grower_of Larkspur Orchard Cooperative" in alice.text("#facts")
    for group in ("#group-descriptive", "#group-governance", "#group-behaviour"):
        assert alice.el(group).is_displayed()
    assert "alice" in alice.text("#group-governance")
    # the click expanded the node's neighbourhood and selected it in the node list
    alice.wait_nodes(lambda nodes: "Entity (PER): Tomas Reyes" in nodes)
    alice.wait(lambda _d: alice.attributes("#node-list button[aria-current='true']", "data-node-id") == [seeded.grower])
    alice.scroll_into_view("#provenance")
    alice.screenshot("search-click-provenance")


def test_promoted_cube_provenance_reaches_the_source_text(alice: Dashboard, seeded: data.Seeded) -> None:
    alice.click_node(seeded.template)
    alice.wait_text("#detail-heading", "MemCube — Activation (KV template), Activated")
    payload = alice.text("#payload")
    assert "KV template" in payload and "tiny-llama-test" in payload and "31" in payload
    provenance = alice.wait_text("#provenance", "promoted from")
    steps = alice.all("#provenance .chain-step")
    assert alice.attributes("#provenance .chain-step", "data-depth") == ["0", "1"]
    assert "Plaintext · Activated" in steps[1].text
    assert "characters 0–" in provenance and data.DOC_URI in provenance
    # the evidence of "founded" and "located_in" overlaps, so they are marked as one span
    assert [m.text for m in alice.all("#provenance mark")] == [
        "Mira Okafor founded the Larkspur Orchard Cooperative in Tullow", "She is the chair of the cooperative"]
    assert "promotion kv-template" in steps[0].text and "score 0.87" in steps[0].text
    alice.scroll_into_view("#provenance")
    alice.screenshot("promoted-provenance")

    steps[1].find_element(By.CSS_SELECTOR, "button.link").click()  # follow the chain to the plaintext cube
    alice.wait_text("#detail-heading", "MemCube — Plaintext, Activated")
    assert "founded" in alice.text("#facts")


def test_filter_by_memory_type_and_state(alice: Dashboard, seeded: data.Seeded) -> None:
    alice.toggle_filter("memory_type", "plaintext")
    alice.toggle_filter("memory_type", "activation")
    nodes = alice.wait_nodes(lambda ns: ns and all(n.startswith("MemCube, Parametric") for n in ns))
    assert sorted(alice.node_list_ids()) == sorted([seeded.adapter, seeded.demoted_adapter])
    assert len(nodes) == 2
    alice.wait_text("#graph-summary", "Showing 2 nodes (2 MemCubes, 0 entities)")
    alice.wait(lambda _d: alice.attributes("#timeline-list li", "data-kind") == ["encoding", "encoding"])
    alice.screenshot("filter-parametric")

    alice.toggle_filter("state", "archived")
    alice.wait_nodes(lambda ns: len(ns) == 1)
    assert alice.node_list_ids() == [seeded.adapter]


def test_filter_by_source_and_creation_date(alice: Dashboard, seeded: data.Seeded) -> None:
    alice.el("#filter-source").send_keys("session-7")
    alice.el("#filters button[type='submit']").click()
    alice.wait_nodes(lambda ns: [n for n in ns if n.startswith("MemCube")] == [_cube_entry(alice, seeded.chat)])
    assert "Entity (PER): Eoin Okafor" in alice.node_list()

    alice.el("#filters button[type='reset']").click()
    alice.wait_nodes(lambda ns: len([n for n in ns if n.startswith("MemCube")]) > 1)
    for field in ("#filter-from", "#filter-to"):
        alice.el(field).send_keys("03012025")  # the date picker, typed as mm dd yyyy
    alice.el("#filters button[type='submit']").click()
    alice.wait_nodes(lambda ns: [n for n in ns if n.startswith("MemCube")] == [_cube_entry(alice, seeded.founding)])
    assert alice.text("#graph-summary").startswith("Showing ")


def test_timeline_shows_scheduler_moves_with_scores(alice: Dashboard, seeded: data.Seeded) -> None:
    kinds = alice.attributes("#timeline-list li", "data-kind")
    items = alice.all("#timeline-list li")
    assert kinds == ["demotion", "demotion", "encoding", "promotion", "promotion", "encoding"]
    template_demotion, adapter_demotion, encoding, promotion = (items[i].text for i in range(4))
    assert "activation → plaintext" in template_demotion and "score 0.15" in template_demotion
    assert "score 0.15 below 0.20" in template_demotion
    assert "parametric → plaintext" in adapter_demotion and "idle for 30 days" in adapter_demotion
    assert "plaintext → parametric" in encoding
    assert "plaintext → activation" in promotion and "score 0.87" in promotion
    assert "6 scheduler events" in alice.text("#timeline-summary")

    items[3].find_element(By.CSS_SELECTOR, f"button[data-cube-id='{seeded.template}']").click()
    alice.wait_text("#detail-heading", "MemCube — Activation (KV template)")


def test_a_hub_is_shown_bounded_with_counts_of_what_was_left_out(alice: Dashboard, seeded: data.Seeded) -> None:
    tullow = data.entity("Tullow").id
    before = len(alice.node_list())
    alice.click_node(tullow)
    omitted = alice.wait_text("#omitted", "around “Tullow”")
    assert omitted.startswith("Left out by the server around “Tullow”:")
    left = _omitted_cubes(omitted)
    assert left >= HUB_SIZE - 60 - 20  # the overview and this expansion show at most 80 of the hub's notes
    after = len(alice.wait_nodes(lambda ns: len(ns) > before))
    assert after - before <= 20
    alice.wait_text("#detail-heading", "Entity — Tullow")
    more = alice.el("#show-more")
    assert f"({left} MemCubes" in more.text
    alice.screenshot("hub-bounded")

    more.click()
    alice.wait(lambda _d: _omitted_cubes(alice.text("#omitted")) < left)
    assert before < after < len(alice.node_list()) <= after + 20


def test_keyboard_reaches_and_opens_nodes(alice: Dashboard, seeded: data.Seeded) -> None:
    alice.driver.refresh()  # the key is kept: no dialog, focus starts at the top of the page
    alice.wait_nodes(lambda nodes: len(nodes) > 0)
    alice.driver.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    active = alice.driver.switch_to.active_element
    assert active.text == "Skip to the graph"
    assert alice.driver.execute_script("return getComputedStyle(document.activeElement).outlineStyle") == "solid"
    active.send_keys(Keys.ENTER)
    assert alice.driver.switch_to.active_element.get_attribute("id") == "graph-region"

    button = alice.el(f"#node-list button[data-node-id='{seeded.chat}']")
    button.send_keys(Keys.ENTER)  # focus the node's entry and press Enter, as a keyboard user would
    alice.wait_text("#detail-heading", "MemCube — Plaintext, Generated")
    assert "chat://session-7" in alice.wait_text("#provenance", "chat turn turn-3")
    assert [m.text for m in alice.all("#provenance mark")] == ["Eoin Okafor runs the cider stall",
                                                               "at the Tullow tasting day"]


def test_other_principals_see_only_their_own(page: Dashboard, api_keys: dict[str, str]) -> None:
    page.enter_key(api_keys["mallory"])
    nodes = page.wait_nodes(lambda ns: len(ns) > 0)
    assert any(n.startswith("MemCube, Plaintext, Generated: Mallory plans Project Nightjar") for n in nodes)
    assert not any("Mira Okafor" in n or "Market day" in n for n in nodes)
    assert "No promotions, encodings or demotions" in page.wait_text("#timeline-summary", "No promotions")
