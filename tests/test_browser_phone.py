"""Every page on a phone (390 px wide) and at a projector (1024 × 768), measured in Chromium on the
pages `make app` serves: no button, toggle button, label or drop-down is cut; every slider handle is
a 24 px target (WCAG 2.2, 2.5.8: Target Size, Minimum) that nothing covers; and a box that scrolls
sideways says so above it, on the side that has more."""

from __future__ import annotations

import pytest

import batchnet_core as bn
from batchnet_core.nn.layers import MAX_DEPTH
from batchnet_core.series import PAGES
from batchnet_core.ui.playground import PLAYGROUND_MAX, Playground

from conftest import close_tab, new_tab, open_drawn, render, settle
from test_browser_layout import SCREENS

pytestmark = pytest.mark.browser

#: WCAG 2.2's least target size, in CSS pixels.
TARGET_PIXELS = 24
#: The playground at its largest: every layer, and every size at the most it offers.
LARGEST = bn.random_state(3, (PLAYGROUND_MAX,) * (MAX_DEPTH + 2)).to_query()
#: Every page as it opens, and the playground at its largest.
VISITS = [(page.name.removesuffix(".ipynb"), "") for page in PAGES] + [("05_playground", LARGEST)]

#: The page is drawn: every cell's output is on screen as widgets, every heat map is loaded, every
#: app has said its first words, and the page script (page.js) of every app with a matrix or code
#: is running (it writes the scroll cues).
#: What a person sees of the page's controls, measured.
#: - cut: a button, toggle button, label or drop-down whose words are wider than it (ipywidgets cuts
#:   them with "…"), or that lies outside the screen without a box that scrolls to it and says so;
#: - scrolling: every box that scrolls sideways, with the cue above it (its parent's ::before);
#: - cues: every cue shown, and whether its box does scroll;
#: - handles: every slider handle's box, and whether its middle and the middles of its edges are the
#:   handle's own (nothing covers or clips it) and it overlaps no box of its entry's readout.
MEASURE = """() => {
  const hidden = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.display === 'none' || s.visibility === 'hidden' || s.clip === 'rect(0px, 0px, 0px, 0px)') return true;
    }
    return el.getClientRects().length === 0;
  };
  const name = (el) => `${el.tagName.toLowerCase()}.${[...el.classList].filter(c => c.startsWith('bn-')).join('.')}`
    + ` "${(el.textContent || el.selectedOptions?.[0]?.textContent || '').trim().slice(0, 40)}"`;
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX)
    && el.scrollWidth > el.clientWidth;
  const cueOf = (box) => {
    const before = getComputedStyle(box.parentElement, '::before');
    return before.display !== 'none' && parseFloat(before.height) > 0 ? before.content : 'none';
  };
  const scrolling = [...document.querySelectorAll('body, body *')].filter(el => scrolls(el) && !hidden(el))
    .map(el => ({box: name(el), in: name(el.parentElement), hidden: el.scrollWidth - el.clientWidth, cue: cueOf(el)}));
  const cues = [...document.querySelectorAll('.bn-more-right, .bn-more-left')].map(parent => ({
    parent: name(parent), cue: getComputedStyle(parent, '::before').content,
    scrolls: [...parent.children].some(scrolls)}));

  const font = document.createElement('canvas').getContext('2d');
  const screen = document.documentElement.clientWidth;
  const cut = [];
  for (const el of document.querySelectorAll('button, select, label, .widget-label, .widget-label-basic')) {
    if (hidden(el)) continue;
    let words = el.scrollWidth, room = el.clientWidth;
    if (el.tagName === 'SELECT') {  // its chosen option's words, in its own font, beside its arrow
      const s = getComputedStyle(el);
      font.font = s.font;
      words = Math.ceil(font.measureText(el.selectedOptions[0]?.textContent ?? '').width);
      room = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    }
    const box = el.getBoundingClientRect();
    let scroller = el.parentElement;
    while (scroller && !scrolls(scroller)) scroller = scroller.parentElement;
    const reachable = (box.left >= 0 && box.right <= screen) || (scroller && cueOf(scroller) !== 'none');
    if (words > room || !reachable) cut.push({control: name(el), words, room, left: box.left, right: box.right});
  }

  const handles = [...document.querySelectorAll('.noUi-handle')].filter(h => !hidden(h)).map(h => {
    h.scrollIntoView({block: 'center', inline: 'center'});
    const b = h.getBoundingClientRect(), x = (b.left + b.right) / 2, y = (b.top + b.bottom) / 2, inset = 2;
    const points = [[x, y], [b.left + inset, y], [b.right - inset, y], [x, b.top + inset], [x, b.bottom - inset]];
    const readout = h.closest('.bn-control')?.querySelector('input')?.getBoundingClientRect();
    const overlap = readout ? Math.max(0, Math.min(b.bottom, readout.bottom) - Math.max(b.top, readout.top)) : 0;
    return {handle: h.getAttribute('aria-label'), width: b.width, height: b.height, overlap,
            own: points.every(([px, py]) => h.contains(document.elementFromPoint(px, py)))};
  });
  return {cut, scrolling, cues, handles,
          sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth};
}"""


def assert_every_control_shows_whole(page) -> dict:
    """Nothing cut, every handle a target, every sideways scroll said; what was measured."""
    seen = page.evaluate(MEASURE)
    assert seen["sideways"] == 0, "the page itself scrolls sideways"
    assert seen["cut"] == [], seen["cut"]
    for box in seen["scrolling"]:
        assert "scroll" in box["cue"], f"scrolls sideways without saying so: {box}"
    for cue in seen["cues"]:
        assert cue["scrolls"], f"a cue where nothing scrolls: {cue}"
    for handle in seen["handles"]:
        # (a handle is placed by a transform: its box may be off by a float's last bits)
        assert min(handle["width"], handle["height"]) >= TARGET_PIXELS - 1e-3, handle
        assert handle["own"], f"covered or clipped: {handle}"
        assert handle["overlap"] == 0, f"overlaps its readout: {handle}"
    return seen


@pytest.mark.parametrize("screen", ["phone", "projector"])
@pytest.mark.parametrize(("notebook", "query"), VISITS, ids=[n + ("-largest" if q else "") for n, q in VISITS])
def test_every_control_shows_whole_on_every_page(browser, voila_url, screen, notebook, query):
    width, height = SCREENS[screen]
    page = new_tab(browser, viewport={"width": width, "height": height})
    try:
        open_drawn(page, render(voila_url, notebook, query))
        seen = assert_every_control_shows_whole(page)
        # every entry's handle was measured, and the playground's size sliders besides
        sizes = len(Playground().size_sliders) if notebook == "05_playground" else 0
        assert len(seen["handles"]) == page.locator(".bn-control").count() + sizes
        matrices = [box for box in seen["scrolling"] if box["in"].startswith("div.bn-matrix")]
        if not query:  # the pages' own networks: every matrix's controls fit, on a phone too
            assert matrices == [], matrices
        if query and screen == "phone":
            # at size 8 each matrix's controls scroll, and say so: more to the right, then, at the end,
            # more to the left
            assert len(matrices) == 1 + MAX_DEPTH, seen["scrolling"]  # X, W1 | b1 ... W4 | b4
            assert all("→" in box["cue"] and "←" not in box["cue"] for box in seen["scrolling"]), seen["scrolling"]
            page.evaluate("() => document.querySelectorAll('.bn-matrix > .widget-gridbox, .bn-code pre')"
                          ".forEach(box => { box.scrollLeft = box.scrollWidth; })")
            settle(page)
            seen = assert_every_control_shows_whole(page)
            assert all("←" in box["cue"] and "→" not in box["cue"] for box in seen["scrolling"]), seen["scrolling"]
    finally:
        close_tab(page)


def test_the_controls_a_page_shows_later_fit_a_phone_too(browser, voila_url):
    """What appears on use: the step-through's controls and the downloads (02), the blanks (03), the
    timings (04), the loss curve, a gradient's terms, the mini-batch table and the revealed answer (06)."""
    width, height = SCREENS["phone"]
    page = new_tab(browser, viewport={"width": width, "height": height})
    try:
        open_drawn(page, render(voila_url, "02_batch_of_three"))
        page.click(".bn-step-next")
        page.wait_for_selector(".bn-step-position .noUi-handle")
        page.click(".bn-button-export")
        page.wait_for_selector(".bn-download-json")
        settle(page)
        seen = assert_every_control_shows_whole(page)
        assert any(h["handle"] == "Step" for h in seen["handles"]), seen["handles"]

        open_drawn(page, render(voila_url, "03_by_hand"))
        page.click(".bn-button-reveal")
        page.wait_for_selector(".bn-blank input", state="visible")
        settle(page)
        assert_every_control_shows_whole(page)

        open_drawn(page, render(voila_url, "04_why_batch"))
        page.click(".bn-button-measure")
        page.wait_for_function("() => document.querySelector('.bn-status').innerText.startsWith('Done')",
                               timeout=120_000)
        page.wait_for_function("() => document.querySelector('.bn-speed-plot')?.complete")
        settle(page)
        assert_every_control_shows_whole(page)

        open_drawn(page, render(voila_url, "06_train_the_batch"))
        page.click("button.bn-train-step")
        page.wait_for_selector(".bn-loss-curve img")
        page.click("button[data-cell='dW1,2,0']")
        page.wait_for_selector(".bn-grad-terms")
        page.click("button.bn-minibatch-run")
        page.wait_for_selector(".bn-minibatch-table tr >> nth=3", timeout=60_000)
        page.click("button.bn-gradient-reveal")
        page.wait_for_function("() => document.querySelector('.bn-gradient-explain').innerText.trim()")
        page.wait_for_function("() => [...document.querySelectorAll('img')].every(i => i.complete)")
        settle(page)
        assert_every_control_shows_whole(page)
    finally:
        close_tab(page)
