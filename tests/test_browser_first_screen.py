"""The first screen in Chromium: the lesson and a picture of each app come in the HTML the server sends, before
Voila's front end has booted (batchnet_core/ui/first_screen.py, the template, batchnet.js), show the numbers
the live app will show, and give way to it without a shift."""

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import batchnet_core as bn

from conftest import ARTIFACTS, LIVE, PICTURES_SHOWN, READ_HEAT_MAPS, TRAINING_HEAT_MAPS, close_tab, new_tab, render

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
from widget_styles import WIDGET_STYLES, widget_rules  # noqa: E402

pytestmark = pytest.mark.browser

#: Pages with an app, and how many heat maps each draws.
APPS = {"02_batch_of_three": 7, "06_train_the_batch": TRAINING_HEAT_MAPS}
#: Every app's picture is there, its heat maps drawn, and the page has all arrived.
PICTURED = """() => document.readyState === 'complete' && document.querySelector('.bn-first-screen')
  && [...document.querySelectorAll('.bn-first-screen svg.bn-heatmap')]
       .every(m => m.querySelector('.bn-drawn-cell rect[fill]'))"""
#: (An init script) Every layout shift the page makes, as the browser counts it for CLS.
RECORD_SHIFTS = """(() => {
  window.__shifts = [];
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts.push(e.value);
  }).observe({type: 'layout-shift', buffered: true});
})()"""


def without_front_end(browser, url: str, **context):
    """A tab that opens ``url`` with Voila's front end never arriving: what a learner sees while it loads."""
    page = new_tab(browser, **context)
    page.route("**/voila.js", lambda route: route.abort())
    page.goto(url)
    page.wait_for_function(PICTURED, timeout=90_000)
    return page


def heat_maps(page, root: str) -> dict:
    return page.evaluate(READ_HEAT_MAPS.replace("document.querySelectorAll('svg.bn-heatmap')",
                                                f"document.querySelectorAll('{root} svg.bn-heatmap')"))


@pytest.mark.parametrize("notebook", APPS)
@pytest.mark.parametrize("screen,theme", [((1024, 768), "light"), ((390, 844), "dark")], ids=["1024-light", "390-dark"])
def test_the_lesson_and_its_worksheet_are_on_screen_before_the_widgets(browser, voila_url, notebook, screen, theme):
    width, height = screen
    url = render(voila_url, notebook, f"theme={theme}")
    page = without_front_end(browser, url, viewport={"width": width, "height": height})
    try:
        assert page.locator("#rendered_cells h1").first.is_visible()  # the lesson's prose, readable
        assert page.locator(".bn-first-screen-status[role=status]").first.is_visible()
        assert page.evaluate("() => document.querySelectorAll('.jp-OutputArea-output').length") == 0  # no widget
        assert page.locator(".bn-first-screen svg.bn-heatmap").count() == APPS[notebook]
        picture = heat_maps(page, ".bn-first-screen")
        assert page.evaluate("() => document.body.classList.contains('theme-dark')") == (theme == "dark")
        # the worksheet's numbers as the state gives them, worked out here
        worked = bn.preset("three-inputs")
        H = np.maximum(worked.W1 @ worked.X + worked.b1[:, None], 0)
        Y = np.maximum(worked.W2 @ H + worked.b2[:, None], 0)
        for name, matrix in {"H": H, "Y": Y}.items():
            shown = page.get_attribute(f".bn-first-screen .bn-values-{name}", "data-values")
            assert np.array_equal(json.loads(shown), matrix), name
        page.screenshot(path=str(ARTIFACTS / f"first-screen-{notebook}-{theme}-{width}.png"))
    finally:
        close_tab(page)

    # the live page shows the same heat maps: the same numbers, colours, inks and hatching
    live = new_tab(browser, viewport={"width": width, "height": height})
    try:
        live.goto(url)
        live.wait_for_function(LIVE, timeout=90_000)
        live.wait_for_function(PICTURES_SHOWN, timeout=90_000)
        assert heat_maps(live, ".jp-OutputArea-output") == picture
    finally:
        close_tab(live)


@pytest.mark.parametrize("notebook", APPS)
@pytest.mark.parametrize("screen", [(1400, 1500), (1024, 768), (390, 844)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_picture_gives_way_to_the_live_app_without_a_shift(browser, voila_url, notebook, screen):
    width, height = screen
    page = new_tab(browser, viewport={"width": width, "height": height})
    try:
        page.add_init_script(RECORD_SHIFTS)
        page.goto(render(voila_url, notebook))
        page.wait_for_function(LIVE, timeout=90_000)
        page.wait_for_function(PICTURES_SHOWN, timeout=90_000)
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
        shifts = page.evaluate("() => window.__shifts")
        assert sum(shifts) <= 0.1, shifts
        assert page.locator(".bn-app").first.is_visible()
    finally:
        close_tab(page)


def test_a_live_app_that_differs_from_its_picture_still_takes_its_place(browser, voila_url):
    """Should the kernel change a text between the picture and the live app (a message of the class), the live
    app still replaces the picture, once its heat maps are drawn: a page is never left on its picture."""
    page = new_tab(browser)
    try:
        # the picture as the page hands it over, with one of its texts no longer the app's (a page changed in
        # the test's own route would be refused its kernel's websocket: Chromium's local network access checks)
        page.add_init_script("""(() => {
          let handOver;
          Object.defineProperty(window, 'batchnetFirstScreen', {
            get: () => handOver,
            set: (real) => {
              handOver = (picture) => {
                for (const el of picture.querySelectorAll('.widget-html-content')) {
                  el.innerHTML = el.innerHTML.replace('Move any slider', 'Moved any slider');
                }
                window.__changed = picture.textContent.includes('Moved any slider');
                return real(picture);
              };
            },
          });
        })()""")
        page.goto(render(voila_url, "02_batch_of_three"))
        assert page.evaluate("() => window.__changed")  # the test changed what the picture shows
        page.wait_for_function(LIVE, timeout=90_000)
        page.wait_for_function(PICTURES_SHOWN, timeout=90_000)
        assert "Move any slider" in page.inner_text(".bn-status")  # the live app's own text
        assert "Moved any slider" not in page.inner_text("body")
    finally:
        close_tab(page)


def test_the_first_screens_widget_styles_are_the_installed_widgets(browser, voila_url):
    """static/widgets.css is ipywidgets' style sheet as the installed front end gives it to a page."""
    page = new_tab(browser)
    try:
        page.goto(render(voila_url, "02_batch_of_three"))
        page.wait_for_function(LIVE, timeout=90_000)
        installed = widget_rules(page)
    finally:
        close_tab(page)
    copy = WIDGET_STYLES.read_text().split("*/\n", 1)[1]
    assert copy == installed, "the widgets' styles changed: run .venv/bin/python scripts/widget_styles.py"


def test_an_app_ipywidgets_cannot_show_gives_its_picture_up_and_the_page_says_so(browser, voila_url):
    """An output whose widget never arrives (ipywidgets writes "Error displaying widget" in its place): the
    picture does not stay on as if the app were coming, and the page says what happened, with a reload."""
    page = new_tab(browser)
    try:
        # Voila renders the outputs once the page has loaded: before, the app's output names a widget that is not
        page.add_init_script("""document.addEventListener('DOMContentLoaded', () => {
          for (const script of document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]')) {
            const nowhere = '"model_id": "' + '0'.repeat(32) + '"';
            script.textContent = script.textContent.replace(/"model_id": *"[0-9a-f]+"/, nowhere);
          }
        })""")
        page.goto(render(voila_url, "02_batch_of_three"))
        page.wait_for_function("() => document.querySelector('.jp-OutputArea-output')?.textContent"
                               ".startsWith('Error displaying widget')", timeout=90_000)
        page.wait_for_function(LIVE, timeout=5_000)  # at once: not after FIRST_SCREEN_MAX_FRAMES (about 10 s)
        alert = page.locator(".bn-connection-alert[role=alert]")
        assert "Part of this page could not be shown" in alert.inner_text()
        assert alert.locator("button", has_text="Reload").is_visible()
    finally:
        close_tab(page)
