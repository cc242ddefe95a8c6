"""Nothing cut off, on any screen: every heat map is wholly visible without sideways scrolling, at a
projector's, a laptop's and a phone's size, and in the playground at any size up to 8, with its
cells still legible. Measured in Chromium on the pages `make app` serves."""

from __future__ import annotations

import pytest

import batchnet_core as bn
from batchnet_core.ui.heatmap import CELL_PIXELS, THEMES

from conftest import HEAT_MAPS_DRAWN, PAGE_NAMES, close_tab, new_tab, open_app, render, settle

pytestmark = pytest.mark.browser

SCREENS = {"projector": (1024, 768), "laptop": (1280, 720), "wide": (1370, 900), "phone": (390, 844)}
#: The smallest a cell may be drawn, in screen pixels: its number is then about 8 pt.
LEGIBLE_CELL_PIXELS = 0.65 * CELL_PIXELS

#: Each heat map scrolled into view: is all of it on screen, and not hidden by anything? Only its
#: own layer of see-through cell buttons may lie over it.
MEASURE = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('svg.bn-heatmap')].map(img => {
    img.scrollIntoView({block: 'center', inline: 'nearest'});
    const box = img.getBoundingClientRect();
    const inset = 3;
    const corners = [[box.left + inset, box.top + inset], [box.right - inset, box.top + inset],
                     [box.left + inset, box.bottom - inset], [box.right - inset, box.bottom - inset]];
    const key = img.getAttribute('class').match(/bn-heatmap-(\\S+)/)[1];
    const own = el => el === img || (el?.closest(`.bn-cells-${key}`) !== null
                                      && getComputedStyle(el).backgroundColor === 'rgba(0, 0, 0, 0)');
    return {name: img.getAttribute('class'), left: box.left, right: box.right, width: width,
            scale: box.width / img.viewBox.baseVal.width, inApp: img.closest('.bn-app') !== null,
            seen: corners.every(([x, y]) => own(document.elementFromPoint(x, y)))};
  });
}"""


#: Whether every heat map on the page is drawn for a theme: its title in that theme's text colour (the
#: drawing has no background: the page's own shows through).
DRAWN_FOR = """(ink) => {
  const maps = [...document.querySelectorAll('svg.bn-heatmap')];
  return maps.length > 0 && maps.every(svg => {
    const title = svg.querySelector('text');
    return title !== null && getComputedStyle(title).fill === `rgb(${ink.join(', ')})`
      && svg.querySelector('.bn-drawn-cell rect[fill]') !== null;
  });
}"""


def theme_background(theme: str) -> list[int]:
    colour = THEMES[theme]["background"]
    return [int(colour[i:i + 2], 16) for i in (1, 3, 5)]


def theme_ink(theme: str) -> list[int]:
    """The colour of a heat map's title in ``theme`` (``DRAWN_FOR``)."""
    colour = THEMES[theme]["text"]
    return [int(colour[i:i + 2], 16) for i in (1, 3, 5)]


def assert_every_heat_map_fits(page, count: int) -> None:
    maps = page.evaluate(MEASURE)
    assert len(maps) == count
    for m in maps:
        assert m["inApp"], m
        assert m["left"] >= 0 and m["right"] <= m["width"], f"cut off: {m}"
        assert m["seen"], f"hidden or clipped: {m}"
        assert m["scale"] * CELL_PIXELS >= LEGIBLE_CELL_PIXELS, f"too small to read: {m}"
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


@pytest.mark.parametrize("screen", ["projector", "laptop", "phone"])
@pytest.mark.parametrize("notebook", ["01_one_input", "02_batch_of_three"])
def test_the_worksheet_fits_every_screen(browser, voila_url, screen, notebook):
    width, height = SCREENS[screen]
    page = new_tab(browser, viewport={"width": width, "height": height})
    try:
        open_app(page, render(voila_url, notebook))
        assert_every_heat_map_fits(page, 7)
        # the controls never push the page sideways either: at most they scroll in their own box
        assert page.evaluate("[...document.querySelectorAll('.bn-app')].every(a => a.scrollWidth <= a.clientWidth)")
        # the code box scrolls rather than break a line (never "bia / s")
        drawn, written = page.evaluate("""() => {
            const pre = document.querySelector('.bn-code pre'), style = getComputedStyle(pre);
            const height = pre.scrollHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
            return [Math.round(height / parseFloat(style.lineHeight)), pre.textContent.trimEnd().split('\\n').length];
        }""")
        assert drawn == written
    finally:
        close_tab(page)


@pytest.mark.parametrize(("screens", "sizes"), [
    (("wide", "projector", "phone"), (8, 8, 8, 8)), (("projector",), (1, 8, 1, 8)), (("phone",), (8, 1, 8, 1)),
    (("laptop",), (5, 7, 3, 6)),
], ids=["8-everywhere", "1-8-1-8-projector", "8-1-8-1-phone", "5-7-3-6-laptop"])
def test_the_playground_fits_at_every_size(browser, voila_url, screens, sizes):
    """Each size on each of its screens: the page opened on the first, then the window made the next."""
    width, height = SCREENS[screens[0]]
    page = new_tab(browser, viewport={"width": width, "height": height})
    try:
        open_app(page, render(voila_url, "05_playground", bn.random_state(3, sizes).to_query()))
        for screen in screens:
            width, height = SCREENS[screen]
            page.set_viewport_size({"width": width, "height": height})
            settle(page)
            assert_every_heat_map_fits(page, 7)
    finally:
        close_tab(page)


def test_the_layout_follows_the_space_it_has(browser, voila_url):
    """Wide: the staircase, weights left of results; narrower: a layer's heat maps in one row under
    its controls; a phone: one column."""
    page = new_tab(browser, viewport={"width": 1400, "height": 900})
    try:
        open_app(page, render(voila_url, "02_batch_of_three"))

        def boxes() -> dict:
            return page.evaluate("""() => Object.fromEntries(['X', 'W1b1', 'H_z', 'H', 'W1'].map(key => {
                const el = document.querySelector(key === 'W1' ? '.bn-controls-W1' : '.bn-figure-' + key);
                const b = el.getBoundingClientRect(); return [key, [b.left, b.top, b.right, b.bottom]]; }))""")

        wide = boxes()
        assert wide["W1"][2] <= wide["W1b1"][0] and wide["W1b1"][2] <= wide["H_z"][0] <= wide["H"][0]
        assert abs(wide["W1"][1] - wide["W1b1"][1]) < 30, "controls beside their heat maps"
        page.set_viewport_size({"width": 1024, "height": 768})
        page.wait_for_function("() => document.querySelector('.bn-controls-W1').getBoundingClientRect().bottom"
                               " <= document.querySelector('.bn-figure-W1b1').getBoundingClientRect().top")
        medium = boxes()
        assert medium["W1b1"][2] <= medium["H_z"][0] and medium["H_z"][2] <= medium["H"][0]
        assert abs(medium["W1b1"][1] - medium["H"][1]) < 2, "a layer's heat maps in one row"
        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_function("() => document.querySelector('.bn-figure-H_z').getBoundingClientRect().bottom"
                               " <= document.querySelector('.bn-figure-H').getBoundingClientRect().top")
        phone = boxes()
        assert phone["W1"][3] <= phone["W1b1"][1] <= phone["H_z"][1] <= phone["H"][1], "one column, in order"
    finally:
        close_tab(page)


@pytest.mark.parametrize("screen", ["projector", "phone"])
def test_the_exercise_page_fits(browser, voila_url, screen):
    width, height = SCREENS[screen]
    page = new_tab(browser, viewport={"width": width, "height": height})
    try:
        page.goto(render(voila_url, "03_by_hand"), timeout=90_000)
        page.wait_for_function(f"() => document.querySelectorAll('svg.bn-heatmap').length === 3 && {HEAT_MAPS_DRAWN}",
                               timeout=90_000)
        assert_every_heat_map_fits(page, 3)
    finally:
        close_tab(page)


#: The pages that draw heat maps: all but the start page's prose and the speed page's timings.
NO_HEAT_MAPS = ("00_start_here", "04_why_batch")


@pytest.mark.parametrize("notebook", [n for n in PAGE_NAMES if n not in NO_HEAT_MAPS])
def test_a_dark_page_is_one_even_dark(page, voila_url, notebook):
    """?theme=dark: every heat map is drawn for dark with a see-through background, and sits on the
    page's own colour, not on a box of another grey."""
    page.goto(render(voila_url, notebook, "theme=dark"), timeout=90_000)
    page.wait_for_function(DRAWN_FOR, arg=theme_ink("dark"), timeout=90_000)
    assert page.locator("svg.bn-heatmap").count() >= 3
    grounds = page.evaluate("""() => {
        const ground = el => {  // the colour an element is seen on: its own, or its nearest painted ancestor's
            for (; el; el = el.parentElement) {
                const colour = getComputedStyle(el).backgroundColor;
                if (colour !== 'rgba(0, 0, 0, 0)' && colour !== 'transparent') return colour;
            }
            return 'none'; };
        return [ground(document.getElementById('rendered_cells')),
                [...new Set([...document.querySelectorAll('svg.bn-heatmap')]
                    .map(img => ground(img.parentElement)))]]; }""")
    page_ground, under_heat_maps = grounds
    assert under_heat_maps == [page_ground], grounds
    channels = [int(v) for v in page_ground[page_ground.index("(") + 1:-1].split(",")[:3]]
    assert max(channels) < 60, page_ground
