"""Every page of the series in the real Voila server, in headless Chromium, and the welcome page at
``/`` that leads to them."""

import re
import shutil
import urllib.request

import pytest

import batchnet_core as bn
from batchnet_core.exercises import check_answer, new_exercise, new_missing
from batchnet_core.series import PAGES

from conftest import (
    ROOT,
    assert_no_error_text,
    assert_results_follow_the_state,
    make_server,
    open_app,
    page_values,
    render,
    state_on_page,
    wait_for_kernels,
)

pytestmark = pytest.mark.browser

NOTEBOOKS = ROOT / "notebooks"
WELCOME_TITLE = "batchnet — how a network handles a batch"


@pytest.fixture(scope="module")
def front_door():
    """``make app`` of its own: its kernels are this module's alone."""
    with make_server("app", name="app-front-door") as server:
        yield server



def test_the_welcome_page_leads_through_every_page_to_the_end_and_back(page, front_door):
    """From / by its links, each page by its Next link to the last, and back by Previous links."""
    page.goto(front_door.url)
    assert page.title() == WELCOME_TITLE
    links = page.locator("main a.bn-page-link")
    assert links.all_inner_texts() == [p.title for p in PAGES]
    assert [a.get_attribute("href") for a in links.all()] == [f"/voila/render/{p.name}" for p in PAGES]
    links.first.click()
    expect_page(page, front_door.url, 0)
    for index in range(1, len(PAGES)):
        page.get_by_role("link", name=f"Next: {PAGES[index].title} →", exact=True).click()
        expect_page(page, front_door.url, index)
    assert page.get_by_role("link", name="Next:").count() == 0
    for index in reversed(range(len(PAGES) - 1)):
        page.get_by_role("link", name=f"← Previous: {PAGES[index].title}", exact=True).click()
        expect_page(page, front_door.url, index)
    assert_no_error_text(page)


def expect_page(page, url: str, index: int) -> None:
    """Page ``index`` of the series is open and shown, named by its title, with its navigation."""
    wanted = PAGES[index]
    page.wait_for_url(f"{url}voila/render/{wanted.name}*", timeout=90_000)
    navigation = page.locator("#rendered_cells a[href$='.ipynb']").last
    navigation.wait_for(state="visible", timeout=90_000)  # the last cell: the page has rendered
    assert page.title() == f"{wanted.title} — batchnet"
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").first.inner_text().strip().rstrip("¶").strip() == wanted.title
    hrefs = page.locator("#rendered_cells a[href$='.ipynb']").evaluate_all("links => links.map(a => a.href)")
    expected = [p.name for p in (PAGES[index - 1:index] + PAGES[:1] * (index > 1) + PAGES[index + 1:index + 2])]
    if index == 0:  # the start page's table, then its navigation
        expected = [p.name for p in PAGES[1:]] + expected
    assert hrefs == [f"{url}voila/render/{name}" for name in expected]


def test_the_welcome_page_is_one_page_with_a_title_a_main_and_a_picture(page, front_door):
    page.goto(front_door.url)
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.title() == WELCOME_TITLE
    assert page.locator("main").count() == 1 and page.locator("h1").count() == 1
    assert page.locator("script").count() == 0  # nothing to run, nothing to wait for
    summaries = page.locator("main .bn-page-summary").all_inner_texts()
    assert summaries == [p.summary for p in PAGES]
    picture = page.locator("main figure img")
    page.wait_for_function("() => { const i = document.querySelector('main figure img');"
                           " return i.complete && i.naturalWidth > 0; }")
    # drawn at the size it declares: the picture file and the page agree
    assert picture.evaluate("i => [i.naturalWidth, i.naturalHeight]") == picture.evaluate(
        "i => [Number(i.getAttribute('width')), Number(i.getAttribute('height'))]")
    assert "heat maps" in picture.get_attribute("alt") and "slider" in picture.get_attribute("alt")
    with urllib.request.urlopen(picture.evaluate("i => i.src"), timeout=30) as response:
        assert response.headers["Content-Type"] == "image/png"
        assert len(response.read()) < 150_000


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_welcome_page_is_readable_in_either_theme(page, front_door, theme):
    page.goto(front_door.url + f"?theme={theme}")
    assert page.locator("body").get_attribute("class") == f"theme-{theme}"
    for viewport in ({"width": 1024, "height": 768}, {"width": 390, "height": 844}):
        page.set_viewport_size(viewport)
        low = [item for item in page.evaluate(CONTRASTS) if item["ratio"] < 4.5]
        assert not low, low
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    dark = page.evaluate("() => getComputedStyle(document.body).backgroundColor") == "rgb(17, 17, 17)"
    assert dark == (theme == "dark")
    hrefs = page.locator("main a.bn-page-link").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == [f"/voila/render/{p.name}" + ("?theme=dark" if theme == "dark" else "") for p in PAGES]


def test_the_welcome_page_costs_no_kernel(page, front_door):
    wait_for_kernels(front_door, 0, timeout=60)  # pages opened before have given theirs back
    for query in ("", "?theme=dark", "?classic-tree=true", "?theme=%22%3E%3Cb%3E"):
        page.goto(front_door.url + query)
        assert page.title() == WELCOME_TITLE, query
        assert page.locator("main a.bn-page-link").count() == len(PAGES), query
    page.goto(front_door.url + "voila/tree/")
    assert page.title() == WELCOME_TITLE
    assert front_door.kernels() == []


def test_a_folder_list_keeps_the_look_and_escapes_every_name(page, tmp_path):
    """Other entries and subfolders get a plain list, in the same frame; names that look like markup
    stay text, and the links built from them open what they name."""
    hostile = '"><img src=x onerror=alert(1)>'
    shutil.copytree(NOTEBOOKS, tmp_path, dirs_exist_ok=True)
    (tmp_path / f"sub{hostile}").mkdir()
    shutil.copy(NOTEBOOKS / "00_start_here.ipynb", tmp_path / f"sub{hostile}" / f"page{hostile}.ipynb")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    with make_server("app", name="app-folders", NOTEBOOKS=tmp_path) as server:
        page.goto(server.url + "?theme=dark")
        assert page.title() == WELCOME_TITLE
        assert page.locator("main .bn-files a").all_inner_texts() == [f"sub{hostile}/"]
        page.click("main .bn-files a")
        page.wait_for_selector("main h1")
        assert page.locator("main h1").inner_text() == f"sub{hostile}/"
        assert page.title() == f"sub{hostile}/ — batchnet"
        assert page.locator("body").get_attribute("class") == "theme-dark"
        assert page.locator("main .bn-files a").all_inner_texts() == ["Up one folder", f"page{hostile}.ipynb"]
        assert page.locator("img").count() == 0
        with page.expect_navigation():
            page.get_by_role("link", name=f"page{hostile}.ipynb", exact=True).click()
        page.wait_for_selector("#rendered_cells a[href$='.ipynb']", state="visible", timeout=90_000)
        assert page.title() == "Start here — batchnet"
        page.go_back()
        page.click("text=Up one folder")
        page.wait_for_selector("main a.bn-page-link")
        assert page.title() == WELCOME_TITLE
    assert dialogs == []


def test_inside_jupyter_the_folder_list_keeps_the_frame_without_the_list_of_pages():
    """Behind JupyterLab, Binder or a hub, Voila runs as a server extension that batchnet_core.serving
    does not configure: no list of pages reaches the template, which shows the notebooks in order."""
    with make_server("lab", name="lab-tree", TOKEN="t", ready="api/status?token=t") as server:
        with urllib.request.urlopen(server.url + "voila/tree?token=t&theme=%22%3E%3Cb%3E", timeout=60) as response:
            body = response.read().decode()
    assert '<html lang="en">' in body and "<main" in body and body.count("<h1") == 1
    assert '<body class="theme-light"' in body and "<b>" not in body
    assert re.findall(r'href="/voila/render/([^"?]+)"', body) == [p.name for p in PAGES]


# Every element with text of its own in <main>: its text colour's contrast on the background it sits on.
CONTRASTS = r"""() => {
  const rgb = (css) => css.match(/[\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map((v) => v / 255)
    .map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const colour = rgb(getComputedStyle(e).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) return colour;
    }
    return [255, 255, 255];
  };
  return [...document.querySelectorAll("main *")]
    .filter((e) => [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim()))
    .map((e) => {
      const [a, b] = [luminance(rgb(getComputedStyle(e).color)), luminance(background(e))].sort((x, y) => y - x);
      return {text: e.textContent.trim().slice(0, 40), ratio: (a + 0.05) / (b + 0.05)};
    });
}"""


def test_one_input_page(page, voila_url):
    open_app(page, render(voila_url, "01_one_input"))
    assert page_values(page, "Y") == [[0], [3]]
    assert page_values(page, "H_z") == [[-1], [3], [5], [3]]
    assert page.locator(".bn-control").count() == 26 + 3
    assert "26 parameters" in page.inner_text(".bn-summary")
    assert_no_error_text(page)


def test_by_hand_page_checks_answers_as_typed(page, voila_url):
    seed, difficulty = 5, "easy"
    exercise, missing = new_exercise(seed, difficulty), new_missing(seed, difficulty)
    page.goto(render(voila_url, "03_by_hand") + f"?seed={seed}&difficulty={difficulty}", timeout=90_000)
    page.wait_for_selector(".bn-button-reveal", timeout=90_000)
    assert f"seed {seed}" in page.inner_text(".bn-seed")
    page.click(".bn-button-reveal")
    page.wait_for_selector(".bn-prediction b")
    first, second = exercise.blanks[:2]
    box = page.locator(f".bn-blank-{first.layer}-{first.row}-{first.col} input")
    box.fill(bn.format_number(exercise.answer(first)))
    box.press("Enter")
    page.wait_for_selector(".bn-feedback .bn-correct")
    wrong = "1000"
    box = page.locator(f".bn-blank-{second.layer}-{second.row}-{second.col} input")
    box.fill(wrong)
    box.press("Enter")
    page.wait_for_selector(".bn-feedback .bn-not-yet")
    assert check_answer(exercise.state, second, wrong).hint in page.inner_text(".bn-feedback")
    box.fill("twelve")
    box.press("Enter")
    page.wait_for_function("() => document.querySelector('.bn-feedback').innerText.includes('not a number')")
    answer = page.locator(".bn-missing-answer input")
    answer.fill(bn.format_number(missing.answer))
    answer.press("Enter")
    page.wait_for_selector(".bn-missing-feedback .bn-correct")
    assert page.inner_text(".bn-score") == "Score: 2 right of 3 checked"
    assert_no_error_text(page)


def test_by_hand_page_with_a_bad_seed_says_so(page, voila_url):
    page.goto(render(voila_url, "03_by_hand") + "?seed=abc", timeout=90_000)
    page.wait_for_selector(".bn-status .bn-error", timeout=90_000)
    assert ("seed must be a whole number from 0 to 1,000,000,000 in digits 0-9 (got 'abc'). "
            "Showing seed 1, medium instead.") in page.inner_text(".bn-status")


def test_why_batch_page_measures_and_permutes(page, voila_url):
    page.goto(render(voila_url, "04_why_batch"), timeout=90_000)
    page.wait_for_selector(".bn-button-measure", timeout=90_000)
    page.click(".bn-button-measure")
    page.wait_for_function("() => document.querySelector('.bn-status').innerText.startsWith('Done')",
                           timeout=120_000)
    rows = page.locator(".bn-timings tr")
    assert rows.count() == 1 + 6
    assert "100,000" in page.inner_text(".bn-timings")
    page.wait_for_function("() => { const i = document.querySelector('.bn-speed-plot');"
                           " return i && i.complete && i.naturalWidth > 300; }")
    page.select_option(".bn-permutation-order select", label="x2, x1, x3")
    page.wait_for_function("() => document.querySelector('.bn-permutation').innerText.includes('x2, x1, x3')")
    assert "The same columns, in the new order" in page.inner_text(".bn-permutation")
    assert_no_error_text(page)


def test_playground_changes_sizes_and_stays_consistent(page, voila_url):
    open_app(page, render(voila_url, "05_playground"))
    for name, presses in (("hidden", 2), ("batch", 3)):
        page.focus(f".bn-size-{name} .noUi-handle")
        for _ in range(presses):
            page.keyboard.press("ArrowRight")
    # the panels are rebuilt for new sizes: until then the table may be missing
    page.wait_for_function("() => { const table = document.querySelector('.bn-values-H_z');"
                           " const rows = table && JSON.parse(table.dataset.values);"
                           " return rows && rows.length === 6 && rows[0].length === 6; }")
    state = assert_results_follow_the_state(page)
    assert state.sizes == (3, 6, 2, 6)
    assert state.W1[:4].tolist() == bn.preset("three-inputs").W1.tolist()
    assert page.locator(".bn-control").count() == 6 * 3 + 6 + 2 * 6 + 2 + 3 * 6
    assert state_on_page(page) == state
    assert_no_error_text(page)


def test_the_welcome_page_of_a_folder_links_into_that_folder():
    """Served from the repository's root, /voila/tree/notebooks is the welcome page, and its links
    open the pages in that folder."""
    with make_server("app", name="app-root", NOTEBOOKS=".") as server:
        with urllib.request.urlopen(server.url + "voila/tree/notebooks", timeout=60) as response:
            front = response.read().decode()
        links = re.findall(r"<a class=\"bn-page-link\" href=\"([^\"]+)\"", front)
        assert links == [f"/voila/render/notebooks/{p.name}" for p in PAGES]
        with urllib.request.urlopen(server.url + links[0].lstrip("/"), timeout=90) as response:
            assert response.status == 200 and "Start here" in response.read().decode()


def test_a_dark_page_leads_to_dark_pages(page, front_door):
    page.goto(render(front_door.url, "01_one_input", "theme=dark"), timeout=90_000)
    page.get_by_role("link", name=f"Next: {PAGES[2].title} →", exact=True).click()
    page.wait_for_url(f"{front_door.url}voila/render/{PAGES[2].name}?theme=dark", timeout=90_000)
    assert "theme-dark" in page.get_attribute("body", "class")
