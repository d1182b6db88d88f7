"""The API documentation page, rendered by a real browser from the local server.

Headless Chromium loads /docs of the running `serverless offline` server: the page, the
Swagger UI assets (served by the meta function at /docs/<asset>, never a CDN) and
/openapi.json. The test passes only if Swagger UI drew an operation block per route
under the page's Content-Security-Policy, which the browser reported no breach of.
Without Chromium the test skips, except in CI (CI=true), which installs it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from tests.local.conftest import LocalServer

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
BROWSER_SECONDS = 45
DOCUMENTED_PATHS = ("/auth/register", "/auth/login", "/auth/me", "/health")


def _chromium() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    reason = f"no Chromium found (looked for {', '.join(BROWSERS)} on PATH)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason}; CI must install chromium to render the docs")
    pytest.skip(reason)


def _rendered_dom(browser: str, url: str, profile: Path) -> tuple[str, list[str]]:
    """The DOM of `url` after its scripts ran, as headless Chromium prints it, and the
    page's console messages (where Chromium reports every Content-Security-Policy breach)."""
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--no-proxy-server",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--enable-logging=stderr",
        "--v=0",
        "--virtual-time-budget=15000",
        "--dump-dom",
        url,
    ]
    # Its own process group, so a timeout takes every renderer and helper with it.
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        dom, errors = process.communicate(timeout=BROWSER_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, errors = process.communicate()
        pytest.fail(f"Chromium did not render {url} within {BROWSER_SECONDS} s\n{errors[-5000:]}")
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # any helper still running
    assert process.returncode == 0, f"Chromium exited {process.returncode}\n{errors[-5000:]}"
    return dom, [line for line in errors.splitlines() if ":CONSOLE" in line]


def test_the_docs_page_shows_every_operation_of_the_shop_in_a_browser(
    local_server: LocalServer, tmp_path: Path, http
):
    browser = _chromium()
    url = f"{local_server.base_url}/docs"

    dom, console = _rendered_dom(browser, url, tmp_path / "chromium-profile")

    context = f"rendered DOM of {url}:\n{dom[:5000]}\n--- server output\n{local_server.output()}"
    assert 'id="swagger-ui"' in dom, context
    assert "Failed to load API definition" not in dom, context
    assert "opblock" in dom, context
    for path in DOCUMENTED_PATHS:
        assert f'data-path="{path}"' in dom, f"no operation block for {path}\n{context}"
    assert "default-src 'none'" in http.get(url, timeout=10).headers["Content-Security-Policy"]
    breaches = [line for line in console if "Content Security Policy" in line]
    assert not breaches, "\n".join(breaches)
