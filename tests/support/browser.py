"""pytest fixtures that drive Debian's chromium through Playwright.

``chromium`` (session scope) launches one headless browser for the whole test
session; every test gets fresh browser contexts on it (own cookies, storage
and cache), so tests share the process and nothing else:

- ``new_context(**options)`` opens a context (Russian locale and a 1280x900
  viewport unless ``options`` say otherwise);
- ``new_page(timeout=..., **options)`` opens a page in a new context, with
  ``timeout`` (ms) as its default wait;
- ``page`` is one such page.

Every context a test opened is closed when it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright's own is not installed
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CONTEXT_DEFAULTS = {"locale": "ru-RU", "viewport": {"width": 1280, "height": 900}}
PAGE_TIMEOUT = 15000


@pytest.fixture(scope="session")
def chromium() -> Iterator:
    """One headless chromium for the session.

    Playwright's sync API keeps an asyncio loop running in this thread for as
    long as it is started, and Django refuses ORM calls while a loop runs
    (SynchronousOnlyOperation): in the browser tests themselves and in every
    test after them in this process. So DJANGO_ALLOW_ASYNC_UNSAFE is set for
    exactly as long as Playwright runs, then restored.
    """
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as env:
        env.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
            )
            try:
                yield browser
            finally:
                browser.close()


@pytest.fixture
def new_context(chromium) -> Iterator[Callable]:
    opened = []

    def open_context(**options):
        context = chromium.new_context(**{**CONTEXT_DEFAULTS, **options})
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def new_page(new_context) -> Callable:
    def open_page(*, timeout: float = PAGE_TIMEOUT, **context_options):
        page = new_context(**context_options).new_page()
        page.set_default_timeout(timeout)
        return page

    return open_page


@pytest.fixture
def page(new_page):
    return new_page()
