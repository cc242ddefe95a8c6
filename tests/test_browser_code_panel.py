"""The code panel shows every comment whole, and a line wider than it scrolls it visibly: the real
Voila server (``make app``) in Chromium, measured."""

import pytest

from batchnet_core.notation import NOTATIONS

from conftest import CHROMIUM, CHROMIUM_ARGS, MAIN_PAGE, close_tab, new_tab, open_app

pytestmark = pytest.mark.browser

#: The code box's width for its text, and each of its lines as drawn: its width and where it ends.
LINES = """() => {
  const pre = document.querySelector('.bn-code pre'), style = getComputedStyle(pre), text = pre.firstChild;
  const box = pre.getBoundingClientRect();
  const lines = []; let at = 0;
  for (const line of pre.textContent.split('\\n')) {
    const range = document.createRange();
    range.setStart(text, at);
    range.setEnd(text, at + line.length);
    const drawn = range.getBoundingClientRect();
    lines.push({line, width: drawn.width, right: drawn.right});
    at += line.length + 1;
  }
  return {room: pre.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight),
          inside: box.right - parseFloat(style.borderRightWidth), lines};
}"""


def show_notation(page, name: str, shown_in_code: str) -> None:
    page.get_by_role("combobox", name="Notation").select_option(label=NOTATIONS[name].label)
    page.wait_for_function("text => document.querySelector('.bn-code pre').textContent.includes(text)",
                           arg=shown_in_code)


@pytest.mark.parametrize("width, height", [(1024, 768), (1400, 1000)])
def test_every_comment_is_shown_whole_in_every_notation(page, voila_url, width, height):
    page.set_viewport_size({"width": width, "height": height})
    open_app(page, voila_url + MAIN_PAGE)
    for name, shown in (("rows", "X @ W1.T"), ("augmented", "W1_aug @ X_aug"), ("columns", "W1 @ X")):
        show_notation(page, name, shown)
        measured = page.evaluate(LINES)
        comments = [line for line in measured["lines"] if "#" in line["line"]]
        assert len(comments) >= 4
        for line in comments:
            assert line["width"] <= measured["room"] + 0.5, (name, line)


@pytest.fixture
def scroll_bars(browser):
    """A tab of a Chromium that draws scroll bars: Playwright's headless one hides them all."""
    shown = browser.browser_type.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS,
                                        ignore_default_args=["--hide-scrollbars"])
    tab = new_tab(shown, viewport={"width": 390, "height": 844})
    yield tab
    close_tab(tab)
    shown.close()


def test_a_line_wider_than_the_panel_scrolls_it_with_a_scroll_bar_and_an_edge_shadow(scroll_bars, voila_url):
    page = open_app(scroll_bars, voila_url + MAIN_PAGE)
    show_notation(page, "augmented", "W1_aug @ X_aug")
    pre = page.locator(".bn-code pre")
    pre.scroll_into_view_if_needed()
    box = pre.evaluate("p => ({scroll: p.scrollWidth, client: p.clientWidth, bar: p.offsetHeight - p.clientHeight"
                       " - parseFloat(getComputedStyle(p).borderTopWidth)"
                       " - parseFloat(getComputedStyle(p).borderBottomWidth)})")
    assert box["scroll"] > box["client"]  # a phone: the matrices' lines are wider than the box
    assert box["bar"] >= 10  # its scroll bar is drawn, and takes room of its own
    style = pre.evaluate("p => [getComputedStyle(p).overflowX, getComputedStyle(p).backgroundAttachment,"
                         " getComputedStyle(p).backgroundImage]")
    assert style[0] == "auto"
    assert style[1] == "local, local, scroll, scroll, scroll" and style[2].count("radial-gradient") == 2
    widest = max(page.evaluate(LINES)["lines"], key=lambda line: line["width"])
    pre.evaluate("p => { p.scrollLeft = p.scrollWidth; }")
    ends = next(line for line in page.evaluate(LINES)["lines"] if line["line"] == widest["line"])
    assert ends["right"] <= page.evaluate(LINES)["inside"] + 0.5  # scrolled, its end is in view


def test_the_scroll_cue_follows_the_code_as_a_change_widens_it_and_narrows_it_again(page, voila_url):
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, voila_url + MAIN_PAGE)
    cue = "() => { const p = document.querySelector('.bn-code pre');" \
          " return [p.scrollWidth > p.clientWidth, p.parentElement.classList.contains('bn-more-right')]; }"
    assert page.evaluate(cue) == [False, False]
    readout = page.locator(".bn-W1-0-0 input")  # its row is the code's longest line
    for typed, scrolls in [("−123456.789/7", True), ("1", False)]:
        readout.fill(typed)
        readout.press("Enter")
        page.wait_for_function(f"() => ({cue})()[0] === {str(scrolls).lower()}")
        page.evaluate("() => new Promise(requestAnimationFrame)")  # the cue is written at the next frame
        assert page.evaluate(cue) == [scrolls, scrolls], typed
