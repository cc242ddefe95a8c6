"""The step-through at a projector and on a phone, in the real Voila server (``make app``) and in
JupyterLab (``make lab``): wherever the learner scrolls, the running sum stays on screen, and it
never covers what the learner scrolled to."""

from __future__ import annotations

import numpy as np
import pytest
from test_browser_lab import jupyterlab, run_notebook

from conftest import ARTIFACTS, MAIN_PAGE, close_tab, new_tab, open_app

pytestmark = pytest.mark.browser

#: A projector, and a phone held upright.
SCREENS = {"projector": (1024, 768), "phone": (390, 844)}
#: What the learner scrolls up to while stepping: the inputs, the first weights, the first sums.
TOP_MATRICES = (".bn-controls-X", ".bn-controls-W1", "svg.bn-heatmap-H_z")

#: Where the running sum is, in the part of the page that shows (the window, less whatever scrolls
#: inside it), and whether it is what a person sees there: not clipped by a scrolling box, not under
#: anything else.
SUM_SEEN = """() => {
    const sum = document.querySelector('.bn-step-sum');
    const box = sum.getBoundingClientRect();
    let shown = {top: 0, bottom: window.innerHeight, left: 0, right: window.innerWidth};
    // (the body's overflow is the window's: it clips nothing more)
    for (let el = sum.parentElement; el && el !== document.body; el = el.parentElement) {
        const style = getComputedStyle(el);
        if (style.display !== 'contents' && ['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowY)) {
            const r = el.getBoundingClientRect();
            shown = {top: Math.max(shown.top, r.top), bottom: Math.min(shown.bottom, r.bottom),
                     left: Math.max(shown.left, r.left), right: Math.min(shown.right, r.right)};
        }
    }
    const y = (box.top + box.bottom) / 2;
    const hits = [box.left + 4, (box.left + box.right) / 2].map(x => {
        const hit = document.elementFromPoint(x, y);
        return !!hit && sum.contains(hit);
    });
    const hit = document.elementFromPoint(box.left + 4, y);
    return {top: box.top, bottom: box.bottom, shownTop: shown.top, shownBottom: shown.bottom,
            over: hit ? hit.outerHTML.slice(0, 200) : null,
            inside: box.top >= shown.top - 0.5 && box.bottom <= shown.bottom + 0.5 && box.height > 0,
            seen: hits.every(Boolean), text: sum.textContent};
}"""

#: The box that scrolls the app (the page in Voila, the notebook in JupyterLab).
SCROLLER = """() => {
    for (let el = document.querySelector('.bn-app'); el; el = el.parentElement) {
        const style = getComputedStyle(el);
        if (['auto', 'scroll'].includes(style.overflowY) && el.scrollHeight > el.clientHeight + 1) return el;
    }
    return document.scrollingElement;
}"""

#: Every box between the step-through and the box that scrolls the app which would hold a sticky
#: element inside itself instead (its overflow is not visible): there must be none.
TRAPS = """(scroller) => {
    const traps = [];
    for (let el = document.querySelector('.bn-step-bar').parentElement; el && el !== scroller; el = el.parentElement) {
        const style = getComputedStyle(el);
        if (style.display !== 'contents' && (style.overflowX !== 'visible' || style.overflowY !== 'visible'))
            traps.push(`${el.className} (${style.overflowX} ${style.overflowY})`);
    }
    return traps;
}"""


def step_seven_times(page, by_key: bool) -> None:
    """Step ▶, then → six times (or Step ▶ six more times): the first cell's sum and ReLU, term by term,
    then the second cell begins."""
    page.get_by_role("button", name="Step ▶").click()
    page.wait_for_function("() => document.querySelector('.bn-step-count')?.textContent === 'Step 1 of 114'")
    for n in range(2, 8):
        if by_key:
            page.keyboard.press("ArrowRight")
        else:
            page.get_by_role("button", name="Step ▶").click()
        page.wait_for_function(f"() => document.querySelector('.bn-step-count')?.textContent === 'Step {n} of 114'")
    assert page.inner_text(".bn-step-heading") == "H_z[h2, x1] = (W1 row h2) · (x1) + b1[h2]"


#: JupyterLab's notebook toolbar has laid itself out: every item in its one row. A change of width in it (the
#: kernel's status) wraps items into a second row, over the notebook, until its overflow menu takes them.
TOOLBAR_IN_ONE_ROW = """() => [...document.querySelectorAll('.jp-NotebookPanel-toolbar')].every(bar => {
    const bottom = bar.getBoundingClientRect().bottom;
    return [...bar.children].every(item => item.getBoundingClientRect().bottom <= bottom + 1); })"""


def assert_the_sum_stays_in_view(page, shots: str) -> None:
    """Scroll up to each top matrix, then through the whole app, a third of a window at a time: the
    running sum is on screen at every stop, and never over the matrix scrolled to."""
    scroller = page.evaluate_handle(SCROLLER)
    assert page.evaluate(TRAPS, scroller) == []
    for n, selector in enumerate(TOP_MATRICES):
        page.eval_on_selector(selector, "el => el.scrollIntoView({block: 'start'})")
        where = page.evaluate(SUM_SEEN)
        page.screenshot(path=f"{shots}-{n}-{selector.split('-')[-1]}.png")
        assert where["inside"] and where["seen"], (selector, where)
        assert where["text"] == "Multiply each weight of the row by the input entry below it, then add the bias."
        # what was scrolled to shows above the step-through, not under it (a heat map's cells lie over it)
        page.wait_for_function(TOOLBAR_IN_ONE_ROW)
        corner = page.eval_on_selector(selector, """el => { const r = el.getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + 4, r.top + 4);
            return [r.top, hit ? (hit.closest('.bn-step-bar') ? 'the step-through' :
                    el.contains(hit) || hit.closest('.bn-cell-layer') ? 'it' : hit.className) : null]; }""")
        assert corner[0] >= -1 and corner[1] == "it", (selector, corner)
    # every place from the app's top at the window's top to its end with room left for the bar, which
    # cannot leave the app: scrolled further, the app itself is leaving the window
    top, bottom, step = page.evaluate("""(el) => {
        const app = document.querySelector('.bn-app').getBoundingClientRect();
        const bar = document.querySelector('.bn-step-bar').getBoundingClientRect();
        const start = el.scrollTop + app.top - el.getBoundingClientRect().top;
        return [Math.max(start, 0), start + app.height - bar.height, el.clientHeight / 3]; }""", scroller)
    for y in [*np.arange(top, bottom, step), bottom]:
        page.evaluate("([el, y]) => { el.scrollTop = y; }", [scroller, float(y)])
        where = page.evaluate(SUM_SEEN)
        assert where["inside"] and where["seen"], (y, where)


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_running_sum_stays_in_view_in_voila(browser, voila_url, screen):
    width, height = SCREENS[screen]
    page = new_tab(browser, viewport={"width": width, "height": height})
    try:
        open_app(page, voila_url + MAIN_PAGE)
        step_seven_times(page, by_key=True)
        assert_the_sum_stays_in_view(page, str(ARTIFACTS / f"steps-voila-{screen}"))
    finally:
        close_tab(page)


@pytest.fixture(scope="module")
def lab_url(tmp_path_factory):
    with jupyterlab(tmp_path_factory.mktemp("lab")) as url:
        yield url


@pytest.mark.parametrize("screen", list(SCREENS))
def test_the_running_sum_stays_in_view_in_jupyterlab(browser, lab_url, screen):
    width, height = SCREENS[screen]
    page = new_tab(browser, viewport={"width": width, "height": height})
    try:
        run_notebook(page, lab_url, "02_batch_of_three")
        # as a person on a small screen would: the side bars closed
        page.evaluate("() => { window.jupyterapp.shell.collapseLeft(); window.jupyterapp.shell.collapseRight(); }")
        step_seven_times(page, by_key=False)  # in JupyterLab the keys belong to the notebook
        assert_the_sum_stays_in_view(page, str(ARTIFACTS / f"steps-lab-{screen}"))
    finally:
        close_tab(page)
