"""The API docs work on an intranet without internet (issue 10 §5): every request that does not go to this
server is blocked, and Swagger UI still renders the operations, under the platform's CSP."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from e2e.conftest import shot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _offline(page, live_server) -> tuple[list[str], list[str]]:
    """Block every request that leaves the live server; collect what was blocked and the console's errors."""
    here = urlsplit(live_server.url).netloc
    blocked: list[str] = []
    errors: list[str] = []

    def route(r):
        if urlsplit(r.request.url).netloc == here:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort("internetdisconnected")

    page.context.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return blocked, errors


@pytest.mark.parametrize("path, operation, name", [
    ("/api/v1/docs", "/api/v1/cases", "api-docs-offline"),
    ("/open311/v2/docs", "/open311/v2/services.json", "open311-docs-offline"),
])
def test_api_docs_render_without_network(page, live_server, path, operation, name):
    blocked, errors = _offline(page, live_server)
    page.goto(path)
    page.locator(".opblock").first.wait_for()
    assert page.locator(f".opblock-summary-path[data-path='{operation}']").count() >= 1
    assert page.locator(".opblock").count() > 3
    # Open one operation: its parameters render too (the schema was fetched from this server).
    page.locator(".opblock-summary").first.click()
    page.locator(".opblock-body").first.wait_for()
    shot(page, name)
    assert blocked == [], f"the docs page reached outside the server: {blocked}"
    assert not [e for e in errors if "Content Security Policy" in e], errors
