"""The dashboard as a test sees it: what it shows, and the user's actions (a page object)."""

from __future__ import annotations

from pathlib import Path

from selenium.webdriver import ActionChains, Chrome
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import WebDriverWait

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "dashboard"
TIMEOUT_S = 30


class Dashboard:
    """Drives the dashboard page in a real browser."""

    def __init__(self, driver: Chrome, base_url: str) -> None:
        self.driver = driver
        self.base_url = base_url

    # --- waiting and reading -----------------------------------------------------------------

    def wait(self, condition: object, timeout_s: float = TIMEOUT_S) -> object:
        """Wait for a Selenium condition (or any callable of the driver) to hold."""
        return WebDriverWait(self.driver, timeout_s).until(condition)

    def el(self, css: str) -> WebElement:
        """The first element matching ``css`` (waited for)."""
        return self.wait(ec.presence_of_element_located((By.CSS_SELECTOR, css)))  # type: ignore[return-value]

    def all(self, css: str) -> list[WebElement]:
        """Every element matching ``css`` (possibly none)."""
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str) -> str:
        """The visible text of the first element matching ``css``."""
        return self.el(css).text

    def wait_text(self, css: str, fragment: str, timeout_s: float = TIMEOUT_S) -> str:
        """Wait until the element matching ``css`` shows ``fragment``; return its whole text."""
        self.wait(ec.text_to_be_present_in_element((By.CSS_SELECTOR, css), fragment), timeout_s)
        return self.text(css)

    def node_list(self) -> list[str]:
        """The node list's entries (every node in view, as read out to the user), read at once."""
        return list(self.driver.execute_script(
            "return [...document.querySelectorAll('#node-list button')].map((b) => b.textContent)"))

    def node_list_ids(self) -> list[str]:
        """The node ids of the node list's entries, read at once."""
        return list(self.driver.execute_script(
            "return [...document.querySelectorAll('#node-list button')].map((b) => b.dataset.nodeId)"))

    def node_entries(self) -> dict[str, str]:
        """Node id → node list entry, read at once."""
        return dict(self.driver.execute_script(
            "return [...document.querySelectorAll('#node-list button')].map((b) => [b.dataset.nodeId, b.textContent])"))

    def attributes(self, css: str, name: str) -> list[str | None]:
        """Attribute ``name`` of every element matching ``css``, read at once (no stale elements)."""
        return list(self.driver.execute_script(
            "return [...document.querySelectorAll(arguments[0])].map((e) => e.getAttribute(arguments[1]))",
            css, name))

    def wait_nodes(self, predicate: object, timeout_s: float = TIMEOUT_S) -> list[str]:
        """Wait until ``predicate(node_list)`` is true; return the node list."""
        self.wait(lambda _d: predicate(self.node_list()), timeout_s)  # type: ignore[operator]
        return self.node_list()

    def graph_node_ids(self) -> list[str]:
        """Ids of the nodes Cytoscape draws on the canvas."""
        return list(self.driver.execute_script("return window.memcubedbDashboard.graph.nodeIds()"))

    # --- acting ----------------------------------------------------------------------------

    def open(self, path: str = "/") -> None:
        """Load a page of the server."""
        self.driver.get(self.base_url + path)

    def enter_key(self, key: str) -> None:
        """Type an API key into the connect dialog and submit it."""
        field = self.wait(ec.visibility_of_element_located((By.ID, "key-input")))
        field.clear()  # type: ignore[attr-defined]
        field.send_keys(key)  # type: ignore[attr-defined]
        self.el("#key-form button[type='submit']").click()

    def search(self, query: str) -> None:
        """Search from the top bar."""
        field = self.el("#search-input")
        field.clear()
        field.send_keys(query)
        self.el("#search-form button[type='submit']").click()

    def click_node(self, node_id: str) -> None:
        """Click a node where Cytoscape drew it on the canvas (a real pointer click)."""
        self.wait(lambda d: d.execute_script(
            "return window.memcubedbDashboard.graph.cy.getElementById(arguments[0]).nonempty()", node_id))
        x, y = self.driver.execute_script(
            "const n = window.memcubedbDashboard.graph.cy.getElementById(arguments[0]);"
            "const p = n.renderedPosition(); return [p.x, p.y];", node_id)
        canvas = self.el("#cy")
        size = canvas.size
        ActionChains(self.driver).move_to_element_with_offset(
            canvas, int(x - size["width"] / 2), int(y - size["height"] / 2)
        ).click().perform()

    def toggle_filter(self, name: str, value: str) -> None:
        """Tick or untick one filter checkbox (by clicking its label, as a user would)."""
        self.el(f"label[for='filter-{name}-{value}']").click()

    def scroll_into_view(self, css: str) -> None:
        """Scroll the element matching ``css`` to the top of its scrolling panel."""
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", self.el(css))

    def screenshot(self, name: str) -> Path:
        """Save a PNG of the page under test-artifacts/dashboard/."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path
