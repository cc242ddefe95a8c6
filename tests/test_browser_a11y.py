"""Accessibility, checked in the real pages: axe-core finds no serious or critical violation on any
page, before and after its main interactions; every control has the name a screen reader speaks;
changes are announced politely once they settle."""

from __future__ import annotations

import pytest

from batchnet_core.notation import NOTATIONS
from batchnet_core.ui.controls import entry_name

from conftest import PAGE_NAMES, open_app, render, serious_violations

pytestmark = pytest.mark.browser

def test_the_front_door_has_no_serious_violation(page, voila_url, axe_source):
    page.goto(voila_url, timeout=90_000)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert serious_violations(page, axe_source) == []


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_main_page_has_no_serious_violation_before_and_after_use(page, voila_url, axe_source, theme):
    open_app(page, render(voila_url, "02_batch_of_three", f"theme={theme}"))
    assert serious_violations(page, axe_source, also=("region",)) == []  # all of the page in landmarks
    handle = page.get_by_role("slider", name="W1 row h1, column 2")
    handle.focus()
    handle.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.bn-status').innerText.includes('W1[1,2] = 0')")
    page.get_by_role("button", name="Y_z (output)").click()
    page.get_by_role("button", name="Export…").click()
    page.wait_for_selector(".bn-download-json")
    assert serious_violations(page, axe_source) == []
    # a cell clicked, the notation switched, a step-through under way
    cell = page.locator("button[data-cell='H_z,2,1']")
    cell.focus()  # its spoken name gets the cell's value with the focus
    assert page.get_by_role("button", name="H_z[h3, x2] = 2; explain").count() == 1
    cell.press("Enter")
    page.wait_for_function("() => document.querySelector('.bn-explain').innerText.includes('H_z[h3, x2]')")
    page.get_by_role("combobox", name="Notation").select_option(label=NOTATIONS["rows"].label)
    page.wait_for_function("() => document.querySelector('.bn-code pre').textContent.includes('X @ W1.T')")
    page.get_by_role("button", name="Step ▶").click()
    page.wait_for_function("() => document.querySelector('.bn-step-count')?.textContent === 'Step 1 of 114'")
    page.keyboard.press("ArrowRight")  # the teacher's key, once the step-through is on
    page.wait_for_function("() => document.querySelector('.bn-step-count')?.textContent === 'Step 2 of 114'")
    assert page.get_by_role("button", name="Play (P)").count() == 1
    assert serious_violations(page, axe_source) == []


#: The pages whose own tests check them before and after use: the main page, the exercise and the speed
#: page here, training in test_browser_train.py.
OWN_TESTS = ("02_batch_of_three", "03_by_hand", "04_why_batch", "06_train_the_batch")


@pytest.mark.parametrize("notebook", [n for n in PAGE_NAMES if n not in OWN_TESTS])
def test_every_other_page_has_no_serious_violation(page, voila_url, axe_source, notebook):
    if notebook == "00_start_here":
        page.goto(render(voila_url, notebook), timeout=90_000)
        page.wait_for_load_state("networkidle")
    else:
        open_app(page, render(voila_url, notebook))
    assert serious_violations(page, axe_source) == []


def test_the_exercise_page_has_no_serious_violation_before_and_after_reveal(page, voila_url, axe_source):
    page.goto(render(voila_url, "03_by_hand"), timeout=90_000)
    page.wait_for_selector(".bn-button-reveal", timeout=90_000)
    assert serious_violations(page, axe_source) == []
    page.get_by_role("button", name="predict H[h2, x3]").click()
    page.get_by_role("button", name="Reveal").click()
    page.wait_for_selector(".bn-blank input", state="visible")
    assert serious_violations(page, axe_source) == []


def test_the_speed_page_has_no_serious_violation_before_and_after_measuring(page, voila_url, axe_source):
    page.goto(render(voila_url, "04_why_batch"), timeout=90_000)
    page.wait_for_selector(".bn-button-measure", timeout=90_000)
    assert page.locator("img").count() == 0, "no picture (and no broken one) before anything is measured"
    assert serious_violations(page, axe_source) == []
    page.click(".bn-button-measure")
    page.wait_for_function("() => document.querySelector('.bn-status').innerText.startsWith('Done')",
                           timeout=120_000)
    assert "all axes logarithmic" in page.get_attribute(".bn-speed-plot", "alt")
    assert serious_violations(page, axe_source) == []


def test_every_slider_and_box_has_the_name_a_screen_reader_speaks(page, voila_url):
    open_app(page, render(voila_url, "02_batch_of_three"))
    entries = [("W1", r, c) for r in range(4) for c in range(3)] + [("b1", r, 0) for r in range(4)]
    entries += [("W2", r, c) for r in range(2) for c in range(4)] + [("b2", r, 0) for r in range(2)]
    entries += [("X", r, c) for r in range(3) for c in range(3)]
    page.wait_for_function("() => [...document.querySelectorAll('.bn-control .noUi-handle')]"
                           ".every(h => h.hasAttribute('aria-label'))")
    # the names as Chromium's own accessibility tree has them: what a screen reader is told
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")["nodes"]
    named = {role: sorted(node.get("name", {}).get("value", "") for node in tree
                          if node.get("role", {}).get("value") == role and not node.get("ignored"))
             for role in ("slider", "textbox")}
    spoken = sorted(entry_name(name, row, col) for name, row, col in entries)
    assert named["slider"] == spoken
    assert named["textbox"] == spoken
    assert page.get_by_role("combobox", name="Preset").count() == 1
    assert page.get_by_role("button", name="Open a state (JSON file)").count() == 1
    # on screen, its words without ipywidgets' count of files: the words are drawn, the count is not
    drawn, size = page.evaluate("""() => { const upload = document.querySelector('.bn-upload');
        return [getComputedStyle(upload, '::before').content, getComputedStyle(upload).fontSize]; }""")
    assert (drawn, size) == ('"Open a state (JSON)"', "0px")


def test_a_change_is_announced_once_it_settles_not_at_every_step(page, voila_url):
    open_app(page, render(voila_url, "02_batch_of_three"))
    page.evaluate("""() => { window.announced = [];
        const live = document.querySelector('.bn-announce');
        new MutationObserver(() => window.announced.push(live.textContent)).observe(live, {childList: true,
            characterData: true, subtree: true}); }""")
    assert page.get_attribute(".bn-announce", "aria-live") == "polite"
    handle = page.get_by_role("slider", name="b1 row h1")
    handle.focus()
    for _ in range(4):
        handle.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.bn-status').innerText.includes('b1[1] = -1')"
                           " || document.querySelector('.bn-status').innerText.includes('b1[1] = −1')")
    page.wait_for_function("() => window.announced.length > 0", timeout=5_000)
    page.wait_for_timeout(1_000)  # a second announcement would come within the settling time
    announced = page.evaluate("window.announced")
    assert announced == [page.inner_text(".bn-status").strip()], announced


def test_focus_rings_reach_three_to_one(page, voila_url):
    """Reached by the keyboard, a button, a slider, a typed box and the preset list each draw a
    ring of 3:1 or more against the page."""
    from batchnet_core.ui.heatmap import contrast_ratio

    def rgb(css: str) -> tuple[int, ...]:
        return tuple(int(float(v)) for v in css[css.index("(") + 1:css.index(")")].split(",")[:3])

    for theme in ("light", "dark"):
        open_app(page, render(voila_url, "02_batch_of_three", f"theme={theme}"))
        page_background = rgb(page.evaluate("""() => { let el = document.getElementById('rendered_cells');
            for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
                if (c !== 'rgba(0, 0, 0, 0)') return c; } return 'rgb(255, 255, 255)'; }"""))
        for control in (page.get_by_role("button", name="Random integers"),
                        page.get_by_role("slider", name="W1 row h1, column 1"),
                        page.get_by_role("textbox", name="W1 row h1, column 1"),
                        page.get_by_role("combobox", name="Preset")):
            control.focus()
            page.keyboard.press("Shift+Tab")
            page.keyboard.press("Tab")  # reached by the keyboard: the ring :focus-visible draws
            style, ring, width = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                return [s.outlineStyle, s.outlineColor, parseFloat(s.outlineWidth)]; }""")
            assert style == "solid" and width >= 2, (theme, control, style, width)
            assert contrast_ratio(rgb(ring), page_background) >= 3, (theme, control, ring, page_background)
