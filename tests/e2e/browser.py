"""Debian's Chromium, driven headless by Selenium through Debian's chromedriver.

Never a downloaded browser: the binary and the driver are the apt packages ``chromium`` and
``chromium-driver`` (``make chromium`` installs them). Each browser gets a fresh, empty user
data directory, removed when it quits.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
"""Flags that work on a closed-network machine (no calls home, no sandbox as root, no GPU)."""


def missing() -> str | None:
    """Why the browser tests cannot run here (``None`` when Chromium and its driver are installed)."""
    absent = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    return f"not installed: {', '.join(absent)} (run `make chromium`)" if absent else None


@contextmanager
def chromium(width: int = 1600, height: int = 1100) -> Iterator[webdriver.Chrome]:
    """A headless Chromium with a fresh profile; quit and its profile removed on exit."""
    profile = tempfile.mkdtemp(prefix="memcubedb-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in HEADLESS_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={width},{height}")
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
