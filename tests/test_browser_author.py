"""Making an exercise on the main page and doing it on page 03: the real Voila server (``make app``) in
Chromium, measured (the blanks' boxes and looks, the panel's fit) and photographed into /tmp/shots-author."""

from pathlib import Path

import pytest

import batchnet_core as bn
from batchnet_core.exercises import Exercise

from conftest import make_server, open_app, render, serious_violations

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots-author")

#: Each blank cell's button as drawn: its box, the box of the cell under it, its look.
BLANKS = """() => [...document.querySelectorAll('button.bn-cell[data-blank]')].map(b => {
  const box = b.getBoundingClientRect(), style = getComputedStyle(b), after = getComputedStyle(b, '::after');
  return {cell: b.dataset.cell, width: box.width, height: box.height, pressed: b.getAttribute('aria-pressed'),
          border: style.borderTopStyle, background: style.backgroundColor, color: style.color,
          mark: after.content, name: b.getAttribute('aria-label')};
})"""

#: Whether an element's content fits it, and it the page's width.
FITS = """selector => [...document.querySelectorAll(selector)].map(e => {
  const box = e.getBoundingClientRect();
  return {text: e.innerText.slice(0, 40), overflows: e.scrollWidth > e.clientWidth + 1,
          inside: box.left >= 0 && box.right <= document.documentElement.clientWidth + 0.5};
})"""


def shot(page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=False)


def blanks_on_page(page, count: int) -> list[dict]:
    page.wait_for_function(f"() => document.querySelectorAll('button.bn-cell[data-blank]').length === {count}",
                           timeout=30_000)
    return page.evaluate(BLANKS)


def open_author(page) -> None:
    page.locator(".bn-button-author button, button.bn-button-author").first.click()
    page.wait_for_selector(".bn-author .bn-author-none", timeout=30_000)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_a_teacher_makes_an_exercise_and_a_student_does_exactly_that_one(page, voila_url, theme):
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, render(voila_url, "02_batch_of_three", f"theme={theme}"))
    open_author(page)
    page.click("button[data-cell='H_z,0,0']")
    blanks_on_page(page, 1)
    page.click("button[data-cell='Y,1,2']")
    blanks_on_page(page, 2)
    page.locator(".bn-author-all-Y").click()
    drawn = blanks_on_page(page, 7)
    assert sorted(b["cell"] for b in drawn) == sorted(["H_z,0,0", *(f"Y,{r},{c}" for r in range(2)
                                                                    for c in range(3))])
    cell = page.evaluate("() => { const b = document.querySelector(\"button[data-cell='H_z,0,1']\")"
                         ".getBoundingClientRect(); return {width: b.width, height: b.height}; }")
    for blank in drawn:
        # as large as a cell of its heat map, a dashed box with a "?" over the number, opaque
        assert cell["width"] - 1 <= blank["width"] <= cell["width"] + 1 and blank["height"] >= 20, blank
        assert (blank["pressed"], blank["border"], blank["mark"]) == ("true", "dashed", '"?"'), blank
        assert blank["background"] in ("rgb(255, 255, 255)", "rgb(17, 17, 17)"), blank
        assert blank["name"].endswith("; blank in the exercise")
    for control in page.evaluate(FITS, ".bn-author button, .bn-author-link"):
        assert not control["overflows"] and control["inside"], control
    page.locator(".bn-cells-Y").scroll_into_view_if_needed()
    shot(page, f"author-02-blanks-{theme}")
    page.locator(".bn-author").scroll_into_view_if_needed()
    shot(page, f"author-02-{theme}")
    href = page.get_attribute("a.bn-author-exercise", "href")
    assert href.startswith("03_by_hand.ipynb?W1=")
    exercise = Exercise.from_query(href.split("?", 1)[1])
    assert exercise.state == bn.preset("three-inputs") and len(exercise.blanks) == 7 and exercise.predict

    page.goto(page.url.split("02_batch_of_three.ipynb")[0] + href + f"&theme={theme}", timeout=90_000)
    page.wait_for_selector(".bn-button-reveal", timeout=90_000)
    assert "An exercise made by your teacher: this network, 7 blank cells" in page.inner_text(".bn-seed")
    page.click(".bn-button-reveal button, button.bn-button-reveal")
    page.wait_for_selector(".bn-blank-H_z-0-0 input", state="visible", timeout=30_000)
    assert page.locator(".bn-blank").count() == 7
    assert page.locator("text=Backwards: find the missing number").count() == 0 or \
        not page.locator("text=Backwards: find the missing number").is_visible()
    box = page.locator(".bn-blank-H_z-0-0 input")
    box.fill("4")  # 1·2 + (−1)·1 + 1·3, the bias −5 forgotten
    box.press("Enter")
    page.wait_for_selector(".bn-feedback .bn-not-yet", timeout=30_000)
    assert "Almost: the bias is missing" in page.inner_text(".bn-feedback")
    page.locator(".bn-feedback").scroll_into_view_if_needed()
    shot(page, f"author-03-{theme}")


def test_on_a_phone_the_panel_fits_and_the_keyboard_makes_a_blank(page, voila_url, axe_source):
    page.set_viewport_size({"width": 390, "height": 844})
    open_app(page, render(voila_url, "02_batch_of_three"))
    open_author(page)
    page.focus("button[data-cell='H,1,1']")
    page.keyboard.press("Enter")
    (blank,) = blanks_on_page(page, 1)
    assert blank["cell"] == "H,1,1" and blank["pressed"] == "true"
    page.locator(".bn-author-all-H_z").click()
    blanks_on_page(page, 13)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    for control in page.evaluate(FITS, ".bn-author button, .bn-author-link, .bn-author-help"):
        assert not control["overflows"] and control["inside"], control
    page.locator(".bn-author").scroll_into_view_if_needed()
    shot(page, "author-02-phone")
    assert serious_violations(page, axe_source) == []


def test_page_03_refuses_an_authored_link_it_cannot_use_naming_the_parameter(page, voila_url):
    query = bn.preset("three-inputs").to_query() + "&blanks=H_z,9,1"
    page.goto(render(voila_url, "03_by_hand", query), timeout=90_000)
    page.wait_for_selector(".bn-status .bn-error", timeout=90_000)
    said = page.inner_text(".bn-status .bn-error")
    assert said == ("The link could not be used: blanks: H_z[h9, x1] is not a cell of this network; H_z has rows h1 "
                    "to h4 and columns x1 to x3. Showing seed 1, medium instead.")
    assert page.locator(".bn-blank").count() == 5  # seed 1's exercise, medium


def test_on_page_06_a_gradient_entry_is_asked_and_its_link_opens_that_exercise(page, voila_url):
    page.set_viewport_size({"width": 1024, "height": 768})
    open_app(page, render(voila_url, "06_train_the_batch", "preset=three-inputs&T=1,0,1;2,2,2"))
    open_author(page)
    picker = page.locator(".bn-author-gradient select")
    picker.select_option(label="dW2[y2, h3]")
    page.wait_for_selector("a.bn-author-gradient-exercise[href*='gradient=dW2,2,3']", timeout=30_000)
    for control in page.evaluate(FITS, ".bn-author-gradient, .bn-author-gradient-link"):
        assert not control["overflows"] and control["inside"], control
    page.locator(".bn-author-gradient").scroll_into_view_if_needed()
    shot(page, "author-06")
    href = page.get_attribute("a.bn-author-gradient-exercise", "href")
    page.goto(page.url.split("?", 1)[0] + href, timeout=90_000)
    page.wait_for_selector(".bn-gradient-answer input", timeout=90_000)
    assert page.locator(".bn-gradient-answer label").inner_text().strip() == "dW2[y2, h3] ="
    assert "A gradient exercise made by your teacher: dW2[y2, h3]" in page.inner_text(".bn-authored")
    answer = page.locator(".bn-gradient-answer input")
    answer.fill("13")  # the sum over the batch: 1·5 + 1·2 + 2·3
    answer.press("Enter")
    page.wait_for_selector(".bn-gradient-feedback .bn-not-yet", timeout=30_000)
    assert "Almost: that is the sum over the batch, not the mean" in page.inner_text(".bn-gradient-feedback")
    page.locator(".bn-gradient-feedback").scroll_into_view_if_needed()
    shot(page, "author-06-exercise")


def test_on_the_playground_a_deeper_network_makes_an_exercise_of_its_own_results(page, voila_url):
    page.set_viewport_size({"width": 1024, "height": 768})
    state = bn.random_state(4, (2, 3, 3, 2, 3))  # three layers: H1, H2, Y
    open_app(page, render(voila_url, "05_playground", state.to_query()))
    open_author(page)
    page.locator(".bn-author-all-H2").click()
    blanks_on_page(page, 9)
    href = page.get_attribute("a.bn-author-exercise", "href")
    exercise = Exercise.from_query(href.split("?", 1)[1])
    assert exercise.state == state and {cell.layer for cell in exercise.blanks} == {"H2"}
    for control in page.evaluate(FITS, ".bn-author button, .bn-author-link"):
        assert not control["overflows"] and control["inside"], control


def test_the_class_view_shows_an_authored_exercises_answers_under_its_own_title(browser, tmp_path):
    teacher_token = "teacher-of-the-class"
    exercise = Exercise(bn.preset("three-inputs"), [("H_z", 0, 0), ("Y", 1, 2)], predict=False)
    contexts = [browser.new_context(viewport={"width": 1024, "height": 768}) for _ in range(2)]
    teacher, student = (context.new_page() for context in contexts)
    try:
        with make_server("serve", name="class-authored", POOL=0, TEACHER=teacher_token, CLASS_DATA=tmp_path) as server:
            teacher.goto(server.url + f"class?token={teacher_token}", timeout=90_000)
            teacher.wait_for_selector(".bn-class-connection:has-text('Live')", timeout=90_000)
            student.goto(render(server.url, "03_by_hand", exercise.to_query()), timeout=90_000)
            student.wait_for_selector(".bn-class-bar .bn-class-who b", timeout=90_000)
            box = student.locator(".bn-blank-H_z-0-0 input")
            box.fill("4")  # the bias −5 forgotten
            box.press("Enter")
            teacher.wait_for_function("() => document.querySelector(\".bn-class-cell[data-cell='H_z,0,0']\")"
                                      "?.dataset.answers === '1'", timeout=15_000)
            title = teacher.locator(".bn-class-pick option").first.inner_text()
            assert title.startswith("Work it out by hand · authored exercise ") and title.endswith(" · 2 blanks")
            teacher.click(".bn-class-cell[data-cell='H_z,0,0']")
            assert "1 of 1: Almost: the bias is missing" in teacher.locator(".bn-class-mistakes").inner_text()
            SHOTS.mkdir(exist_ok=True)
            teacher.screenshot(path=str(SHOTS / "author-class-view.png"))
    finally:
        for context in contexts:
            context.close()
