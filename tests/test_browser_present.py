"""Presenter mode (``?present=1``, or the page's Present button) at a projector's 1024×768 and a laptop's
1280×720, light and dark, in the real Voila server (``make app``): X, W1, H_z and the explanation of a
clicked cell on the screen together, without scrolling; the step-through's running sum large and in view;
the remote's keys; large type on every page; and axe-clean."""

from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request

import pytest
from test_browser_steps import SCROLLER

from batchnet_core.series import PAGES
from batchnet_core.ui.heatmap import CELL_PIXELS

from conftest import ARTIFACTS, MAIN_PAGE, close_tab, new_tab, open_app, open_drawn, render, serious_violations

pytestmark = pytest.mark.browser

SCREENS = {"projector": (1024, 768), "laptop": (1280, 720)}
#: The smallest a heat map cell may be drawn, in screen pixels: its number is then about 8 pt.
LEGIBLE_CELL_PIXELS = 0.65 * CELL_PIXELS
#: What must be on the screen together: the inputs, the first weights, their sums, and the explanation.
TOGETHER = ("svg.bn-heatmap-X", "svg.bn-heatmap-W1b1", "svg.bn-heatmap-H_z", ".bn-explain")

#: Where an element is in the window, whether it is what a person sees at its corners (not under
#: anything else but its own heat map's cell buttons), and its type's size.
WHERE = """(selector) => {
    const el = document.querySelector(selector);
    const box = el.getBoundingClientRect();
    const own = (hit) => !!hit && (el.contains(hit) || (el.matches('svg') && !!hit.closest('.bn-cell-layer')));
    const corners = [[box.left + 3, box.top + 3], [box.right - 3, box.top + 3], [box.left + 3, box.bottom - 3],
                     [box.right - 3, box.bottom - 3]];
    return {top: box.top, bottom: box.bottom, left: box.left, right: box.right, height: box.height,
            innerWidth: window.innerWidth, innerHeight: window.innerHeight,
            scale: el.viewBox?.baseVal ? box.width / el.viewBox.baseVal.width : null,
            seen: corners.every(([x, y]) => own(document.elementFromPoint(x, y))),
            font: parseFloat(getComputedStyle(el.querySelector('.bn-step-sum, .widget-html-content') ?? el).fontSize)};
}"""


def assert_on_screen(page, selector: str) -> dict:
    where = page.evaluate(WHERE, selector)
    assert where["height"] > 0, (selector, where)
    assert 0 <= where["top"] and where["bottom"] <= where["innerHeight"], (selector, where)
    assert 0 <= where["left"] and where["right"] <= where["innerWidth"], (selector, where)
    assert where["seen"], (selector, where)
    return where


def step_count(page) -> str:
    return page.inner_text(".bn-step-count")


def wait_for_step(page, count: str) -> None:
    page.wait_for_function("(n) => document.querySelector('.bn-step-count')?.textContent === n", arg=count)


def press_and_wait(page, key: str, count: str) -> None:
    page.keyboard.press(key)
    wait_for_step(page, count)


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_worksheet_and_a_cells_explanation_share_the_projectors_screen(browser, voila_url, axe_source,
                                                                            screen, theme):
    width, height = SCREENS[screen]
    page = new_tab(browser, viewport={"width": width, "height": height})
    shots = ARTIFACTS / f"present-{screen}-{theme}"
    try:
        open_app(page, voila_url + MAIN_PAGE + "?present=1" + ("&theme=dark" if theme == "dark" else ""))
        assert page.evaluate("document.documentElement.classList.contains('bn-present')")
        # the settings are folded into the strip: no matrix's controls, no toolbar, no code on screen
        for folded in (".bn-controls-X", ".bn-controls-W1", ".bn-toolbar", ".bn-code", ".bn-legend-box"):
            assert not page.locator(folded).first.is_visible(), folded
        # the teacher scrolls past the page's introduction once, to the app: from there on, nothing moves
        scroller = page.evaluate_handle(SCROLLER)
        page.eval_on_selector(".bn-status", "el => el.scrollIntoView({block: 'start'})")
        scrolled = page.evaluate("(el) => el.scrollTop", scroller)
        page.click("button[data-cell='H_z,1,2']")
        page.wait_for_function("() => document.querySelector('.bn-explain').textContent.includes('H_z[h2, x3]')")
        page.screenshot(path=f"{shots}-explain.png")
        assert page.evaluate("(el) => el.scrollTop", scroller) == scrolled
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        for selector in TOGETHER:
            where = assert_on_screen(page, selector)
            if where["scale"] is not None:
                assert where["scale"] * CELL_PIXELS >= LEGIBLE_CELL_PIXELS, (selector, where)
        assert page.evaluate(WHERE, ".bn-explain")["font"] >= 20  # large type: 15 px on a laptop's page
        # the step-through's bar below the heat maps, across the page
        bar, sheet = (page.evaluate(WHERE, selector) for selector in (".bn-step-bar", ".bn-worksheet"))
        assert bar["top"] >= sheet["bottom"] - 1 and bar["left"] <= sheet["left"], (bar, sheet)

        # the step-through: its running sum large and in view, moved by the remote's keys
        page.get_by_role("button", name="Step ▶").click()
        page.wait_for_function("() => document.querySelector('.bn-step-count')?.textContent === 'Step 1 of 114'")
        press_and_wait(page, "ArrowRight", "Step 2 of 114")
        press_and_wait(page, "PageDown", "Step 3 of 114")
        press_and_wait(page, "ArrowLeft", "Step 2 of 114")
        press_and_wait(page, "PageDown", "Step 3 of 114")
        press_and_wait(page, "PageUp", "Step 2 of 114")
        page.screenshot(path=f"{shots}-step.png")
        where = assert_on_screen(page, ".bn-step-sum")
        assert where["font"] >= 28, where
        for selector in TOGETHER[:3]:
            assert_on_screen(page, selector)
        assert page.evaluate("(el) => el.scrollTop", scroller) == scrolled
        page.keyboard.press("p")
        page.wait_for_function("() => document.querySelector('.bn-step-count').textContent !== 'Step 2 of 114'")
        page.keyboard.press("P")
        # paused in the page: its timer moves the step no further; the last step it moved to is drawn
        page.wait_for_selector(".bn-step-play i.fa-play", state="attached")
        last = page.eval_on_selector(".bn-step-position .noUi-handle", "h => Number(h.getAttribute('aria-valuenow'))")
        wait_for_step(page, f"Step {last + 1} of 114")
        paused = step_count(page)
        page.wait_for_timeout(2000)  # two frames' time at the medium speed: no frame came
        assert step_count(page) == paused
        page.keyboard.press("Escape")
        page.wait_for_function("() => !document.querySelector('.bn-stepping')")
        assert page.inner_text(".bn-step-text") == ""
        found = serious_violations(page, axe_source)
        assert found == [], found
    finally:
        close_tab(page)


def test_the_present_button_enters_and_leaves_and_the_address_follows(browser, voila_url, axe_source):
    page = new_tab(browser, viewport={"width": 1024, "height": 768})
    try:
        open_app(page, voila_url + MAIN_PAGE + "?preset=one-input")
        scroller = page.evaluate_handle(SCROLLER)
        tall = page.evaluate("(el) => el.scrollHeight", scroller)
        assert page.locator(".bn-controls-W1").is_visible()
        page.get_by_role("button", name="Present").click()
        assert page.evaluate("document.documentElement.classList.contains('bn-present')")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        assert query["present"] == ["1"] and query["x1"] == ["2,1,3"]  # the state's own link, presented
        assert not page.locator(".bn-controls-W1").is_visible()
        assert page.evaluate("(el) => el.scrollHeight", scroller) < tall
        # the settings unfold in place, and a change to them keeps presenter mode in the address
        page.get_by_role("button", name="Show the settings").click()
        assert page.locator(".bn-controls-W1").is_visible()
        assert page.get_by_role("button", name="Fold the settings away").get_attribute("aria-expanded") == "true"
        found = serious_violations(page, axe_source)
        assert found == [], found
        page.fill(".bn-W1-0-0 input[type='number'], .bn-W1-0-0 input", "3")
        page.keyboard.press("Enter")
        page.wait_for_function("() => new URLSearchParams(location.search).get('W1')?.startsWith('3')")
        query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        assert query["present"] == ["1"]
        page.get_by_role("button", name="Fold the settings away").click()
        assert not page.locator(".bn-controls-W1").is_visible()
        # a link to another page opens it presented
        page.evaluate("document.addEventListener('click', (event) => event.preventDefault())")  # no visit
        link = page.locator("a[href*='03_by_hand']").first
        link.click()
        assert "present=1" in link.get_attribute("href")
        page.get_by_role("button", name="Leave presenter mode").click()
        assert not page.evaluate("document.documentElement.classList.contains('bn-present')")
        assert "present" not in urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
        assert page.locator(".bn-controls-W1").is_visible()
        assert page.get_by_role("button", name="Show the settings").count() == 0
    finally:
        close_tab(page)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_page_presents_in_large_type(browser, voila_url, axe_source, theme):
    """Every page of the series, presented: the strip leads out of it, the prose is large, nothing is
    wider than the projector's screen, and axe finds nothing serious."""
    page = new_tab(browser, viewport={"width": 1024, "height": 768})
    try:
        for name in (p.name.removesuffix(".ipynb") for p in PAGES):
            open_drawn(page, render(voila_url, name, "present=1" + ("&theme=dark" if theme == "dark" else "")))
            assert page.get_by_role("button", name="Leave presenter mode").is_visible(), name
            # settings to show only where there is an app (not on the start page's prose)
            has_app = page.locator(".bn-app").count() > 0
            assert page.get_by_role("button", name="Show the settings").is_visible() == has_app, name
            prose = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.jp-RenderedMarkdown p'))"
                                  ".fontSize)")
            assert prose >= 20, (name, prose)
            assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), name
            page.screenshot(path=str(ARTIFACTS / f"present-page-{name}-{theme}.png"))
            found = serious_violations(page, axe_source)
            assert found == [], (name, found)
    finally:
        close_tab(page)


@pytest.mark.parametrize("value", ["0", "yes", "", "2", '"><img src=x onerror=alert(1)>'])
def test_presenter_mode_of_any_other_value_is_refused_by_name(voila_url, value):
    """The server answers ``present`` of any value but 1 with its 400 page, naming the parameter."""
    for name in ("00_start_here", "02_batch_of_three"):
        url = render(voila_url, name, urllib.parse.urlencode({"present": value}))
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=90).close()
        body = refused.value.read().decode()
        assert refused.value.code == 400
        assert "present must be 1 (presenter mode): write present=1, or remove present= from the link" in body
        assert "<img src=x" not in body
