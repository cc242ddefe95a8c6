"""`make serve`, the classroom command: what its settings say is what a visitor's browser meets.

The other settings are tested where they matter: culling (CULL, CULL_INTERVAL) in
test_browser_sessions.py; no cell time limit for a waiting pool kernel, the kernel ceiling
(MAX_KERNELS) and the shutdown beacon in test_classroom.py.
"""

import re
import urllib.error
import urllib.request

import pytest

from conftest import assert_results_follow_the_state, make_server, open_app, render, wait_for_kernels

pytestmark = pytest.mark.browser

TOKEN = "classroom"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def status(url: str) -> int:
    try:
        with urllib.request.build_opener(NoRedirect).open(url, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def kernel_ids(server) -> set[str]:
    """The ids of the kernels the server runs, read from their processes' connection files."""
    return {re.search(r"kernel-([\w-]+)\.json", " ".join(kernel.cmdline())).group(1) for kernel in server.kernels()}


def visit(context, url: str) -> tuple[str, dict[str, int]]:
    """Open the app at ``url`` in a new tab; the id of the kernel that serves it, and the bytes each address
    brought over the network (nothing for what the browser had kept)."""
    page = context.new_page()
    sockets = []
    page.on("websocket", lambda socket: sockets.append(socket.url))
    network = context.new_cdp_session(page)
    network.send("Network.enable")
    addresses, received = {}, {}
    network.on("Network.requestWillBeSent", lambda e: addresses.__setitem__(e["requestId"], e["request"]["url"]))
    network.on("Network.loadingFinished",
               lambda e: received.__setitem__(addresses.get(e["requestId"], "?"), e["encodedDataLength"]))
    open_app(page, url)
    assert_results_follow_the_state(page)
    ids = {match.group(1) for url in sockets if (match := re.search(r"/api/kernels/([\w-]+)/channels", url))}
    assert len(ids) == 1, sockets
    return ids.pop(), received


@pytest.mark.parametrize("pool", [0, 3])
def test_the_pool_token_and_preheated_page_are_what_make_serve_was_given(browser, pool):
    with make_server("serve", name=f"serve-pool-{pool}", POOL=pool, TOKEN=TOKEN, PREHEAT="02_batch_of_three.ipynb",
                     ready=f"?token={TOKEN}") as server:
        main = render(server.url, "02_batch_of_three")
        assert status(main) in (302, 403)  # no token: sent to the login page
        wait_for_kernels(server, pool, timeout=120)
        preheated = kernel_ids(server)
        context = browser.new_context()
        try:
            # the page named by PREHEAT is served by a waiting kernel, and the pool fills again
            first, first_bytes = visit(context, f"{main}?token={TOKEN}")
            assert (first in preheated) == (pool > 0)
            assert sum(first_bytes.values()) > 500_000  # Voila's front end, on a first visit
            wait_for_kernels(server, pool + 1, timeout=120)
            # any other page gets a kernel of its own, and the pool is left alone
            before = kernel_ids(server)
            other, other_bytes = visit(context, render(server.url, "01_one_input"))  # the token is in a cookie now
            assert other not in before
            # a second page moves almost nothing: Voila's front end was kept from the first, for good
            front_end = {url: size for url, size in other_bytes.items() if "/voila/static/" in url
                         or "/voila/labextensions/" in url}
            assert len(front_end) > 20 and not any(front_end.values()), front_end
            assert sum(other_bytes.values()) < 100_000, other_bytes
            assert len(kernel_ids(server) & before) == pool + 1
        finally:
            context.close()
