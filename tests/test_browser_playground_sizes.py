"""The playground's size sliders: arrow keys keep the network's seed and entries, the status line says
each size as it is asked, and the sliders follow a state of other sizes. The real Voila server
(``make app``) in Chromium."""

import pytest

import batchnet_core as bn

from conftest import assert_results_follow_the_state, open_app, render

pytestmark = pytest.mark.browser

SIZES = "2 layers, sizes (inputs, units of each layer, batch) = {}"
#: The inputs slider's value, and what the status line says.
READ = """() => [Number(document.querySelector('.bn-size-inputs .noUi-handle').getAttribute('aria-valuenow')),
                 document.querySelector('.bn-status').textContent]"""


def press(page, key: str) -> None:
    """One arrow key on the inputs slider; the status line names the size it now asks for."""
    page.keyboard.press(key)
    page.wait_for_function(f"() => {{ const [inputs, said] = ({READ})();"
                           " return said.includes(`= (${inputs}, 4, 2, 3)`); }", timeout=10_000)


def settled(page, text: str) -> None:
    page.wait_for_function("text => document.querySelector('.bn-status').textContent === text", arg=text,
                           timeout=60_000)


@pytest.mark.parametrize("width, height", [(1024, 768), (390, 844)])
def test_arrow_keys_keep_the_seed_and_the_network_and_the_status_says_each_size_at_once(page, voila_url, width,
                                                                                         height):
    page.set_viewport_size({"width": width, "height": height})
    worked = bn.preset("three-inputs")
    open_app(page, render(voila_url, "05_playground"))
    page.focus(".bn-size-inputs .noUi-handle")
    for _ in range(3):
        press(page, "ArrowRight")
    settled(page, SIZES.format((6, 4, 2, 3)) + "; entries that still fit were kept, new ones are random (seed 0).")
    assert assert_results_follow_the_state(page) == bn.resize(worked, (6, 4, 2, 3), seed=0)
    for _ in range(3):
        press(page, "ArrowLeft")
    settled(page, SIZES.format((3, 4, 2, 3)) + "; entries that still fit were kept, new ones are random (seed 0).")
    assert assert_results_follow_the_state(page) == worked  # the same network, every entry kept
    assert page.locator(".bn-error").count() == 0


def test_the_size_sliders_follow_a_preset_of_other_sizes(page, voila_url):
    open_app(page, render(voila_url, "05_playground"))
    page.get_by_role("combobox", name="Preset").select_option("one-input")
    page.locator(".bn-button-load").click()
    settled(page, "Loaded the preset one-input.")
    sliders = page.evaluate("() => [...document.querySelectorAll('[class*=bn-size-] .noUi-handle')]"
                            ".map(h => Number(h.getAttribute('aria-valuenow')))")
    assert sliders == [2, 3, 4, 2, 1]
    assert assert_results_follow_the_state(page).sizes == (3, 4, 2, 1)
