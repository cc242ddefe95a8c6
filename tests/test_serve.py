"""`make serve`, the classroom command, starts Voila with a token, a kernel pool and culling."""

import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

from conftest import ARTIFACTS, ROOT, free_port, wait_until_serving

PAGE = "voila/render/02_batch_of_three.ipynb"


def status(url: str) -> int:
    request = urllib.request.Request(url)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=60) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_make_serve_asks_for_the_token_and_fills_the_pool():
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"make-serve-{port}.log"
    with open(log, "w") as out:
        make = subprocess.Popen(["make", "serve", "HOST=127.0.0.1", f"PORT={port}", "TOKEN=classroom", "POOL=1"],
                                cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_until_serving(url + "?token=classroom", make, log)
        assert status(url + PAGE) in (302, 403)  # no token: sent to the login page
        deadline = time.monotonic() + 120
        while "Kernel pool of 02_batch_of_three.ipynb is filled" not in log.read_text():
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            time.sleep(0.2)
        assert status(url + PAGE + "?token=classroom") == 200
        text = log.read_text()
        assert "Culling kernels with idle durations > 600 seconds" in text
        assert "Kernel pool of 00_start_here.ipynb" not in text  # the pool is for the main page only
    finally:
        os.killpg(make.pid, signal.SIGTERM)
        make.wait(timeout=30)
