"""Sessions on one server: closed tabs give their kernels back, and no visitor sees another's state."""


import pytest

import batchnet_core as bn

from conftest import MAIN_PAGE, close_tab, make_server, open_app, state_on_page, wait_for_kernels, wait_for_value

pytestmark = pytest.mark.browser

CULL_SECONDS, CULL_INTERVAL = 4, 1


def test_tabs_that_vanish_without_a_word_are_culled(browser):
    """Culling, the safety net under the shutdown beacon: tabs closed without ``beforeunload`` (a
    crashed browser, a laptop shut) send no beacon. make serve, with the idle time shortened."""
    with make_server("serve", name="serve-cull", POOL=0, CULL=CULL_SECONDS, CULL_INTERVAL=CULL_INTERVAL) as server:
        context = browser.new_context()
        pages = [open_app(context.new_page(), server.url + MAIN_PAGE) for _ in range(10)]
        # Open tabs keep their kernels however idle they are (cull_connected is false) ...
        pages[-1].wait_for_timeout((CULL_SECONDS + 2 * CULL_INTERVAL) * 1000)
        assert len(server.kernels()) == 10
        # ... and vanished ones give them back within the idle timeout and one culling round.
        context.close()  # Playwright closes pages without running beforeunload: no beacon
        wait_for_kernels(server, 0, timeout=CULL_SECONDS + CULL_INTERVAL + 10)


def test_sessions_never_see_each_others_state(browser, voila_url):
    contexts = [browser.new_context() for _ in range(3)]
    try:
        pages = [open_app(c.new_page(), voila_url + MAIN_PAGE) for c in contexts]
        for value, page in enumerate(pages, start=-1):
            box = page.locator(".bn-b1-0-0 input")
            box.fill(str(value))
            box.press("Enter")
        for value, page in enumerate(pages, start=-1):
            wait_for_value(page, "b1", 0, 0, value)
            assert state_on_page(page) == bn.preset("three-inputs").with_entry("b1", 0, 0, value)
    finally:
        for tab in [tab for context in contexts for tab in context.pages]:
            close_tab(tab)
