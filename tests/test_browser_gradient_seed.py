"""Page 06's gradient exercise has a seed of its own in the link (``gradient_seed``, ``gradient_difficulty``),
shown above it and kept in the page's address: the real Voila server (``make app``) in Chromium."""

import numpy as np
import pytest

from batchnet_core.gradient_exercises import MISTAKES, new_gradient_exercise
from batchnet_core.nn.numbers import format_number

from conftest import ARTIFACTS, open_app, render, serious_violations

pytestmark = pytest.mark.browser

#: The gradient exercise's own part of page 06.
EXERCISE = ".bn-app:has(.bn-gradient-answer)"
#: Each control of the exercise's seed row: text within its box, the box within the page.
FITS = """row => [...row.querySelectorAll('button, .widget-inline-hbox')].map(e => {
  const box = e.getBoundingClientRect();
  return {text: e.innerText.split('\\n')[0], overflows: e.scrollWidth > e.clientWidth,
          inside: box.left >= 0 && box.right <= document.documentElement.clientWidth};
})"""


def open_exercise(page, voila_url: str, query: str):
    open_app(page, render(voila_url, "06_train_the_batch", query))
    page.wait_for_selector(f"{EXERCISE} .bn-gradient-question", timeout=90_000)
    return page.locator(EXERCISE)


def asked(exercise) -> str:
    """The entry the exercise asks for, as its answer box is labelled: "dW1[h1, 3] =" """
    return exercise.locator(".bn-gradient-answer label").inner_text().strip()


@pytest.mark.parametrize("width, height", [(1024, 768), (390, 844)])
def test_the_link_opens_its_exercise_shows_its_seed_and_the_address_keeps_it(page, voila_url, width, height):
    page.set_viewport_size({"width": width, "height": height})
    exercise = open_exercise(page, voila_url, "gradient_seed=12&gradient_difficulty=hard")
    assert asked(exercise) == f"{new_gradient_exercise(12, 'hard').label} ="
    assert exercise.locator(".bn-gradient-seed input").input_value() == "12"
    assert exercise.locator(".bn-gradient-difficulty select").input_value() == "hard"
    assert exercise.locator(".bn-seed").inner_text().startswith("Gradient exercise seed 12, hard: give the class")
    assert exercise.locator("a.bn-gradient-link").get_attribute("href") == "?gradient_seed=12&gradient_difficulty=hard"
    for control in exercise.locator(".bn-gradient-seed").locator("xpath=..").evaluate(FITS):
        assert not control["overflows"] and control["inside"], control
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    # the page's address holds its state, its targets and the exercise: a reload opens all three
    page.wait_for_function("() => location.search.startsWith('?W1=') && location.search.includes('&T=')"
                           " && location.search.endsWith('&gradient_seed=12&gradient_difficulty=hard')")
    exercise.locator(".bn-gradient-new").click()
    page.wait_for_function("() => location.search.endsWith('&gradient_seed=13&gradient_difficulty=hard')")
    assert exercise.locator(".bn-gradient-seed input").input_value() == "13"
    exercise = open_exercise(page, voila_url, page.url.split("?", 1)[1])  # the address opened anew: a reload
    assert asked(exercise) == f"{new_gradient_exercise(13, 'hard').label} ="
    assert page.locator(".bn-error").count() == 0


def test_a_typed_seed_opens_its_exercise(page, voila_url):
    exercise = open_exercise(page, voila_url, "")
    assert asked(exercise) == f"{new_gradient_exercise(1, 'medium').label} ="
    exercise.locator(".bn-gradient-seed input").fill("40")
    exercise.locator(".bn-gradient-open").click()
    page.wait_for_function("() => location.search.endsWith('&gradient_seed=40&gradient_difficulty=medium')")
    assert asked(exercise) == f"{new_gradient_exercise(40, 'medium').label} ="


@pytest.mark.parametrize("query, problem", [
    ("gradient_seed=%3Cimg%20src%3Dx%20onerror%3Dwindow.__xss%3D1%3E",
     "gradient_seed must be a whole number from 0 to 1,000,000,000 in digits 0-9 (got '<img src=x onerror=w')"),
    ("gradient_difficulty=%3Cscript%3Ewindow.__xss%3D1%3C%2Fscript%3E",
     "gradient_difficulty must be one of easy, medium, hard (got '<script>window.__xss')"),
    ("gradient_seed=7&gradient_seed=8", "gradient_seed appears twice in the link; give it once"),
])
def test_a_gradient_seed_that_cannot_be_used_is_named_and_runs_nothing(page, voila_url, query, problem):
    exercise = open_exercise(page, voila_url, query)
    said = exercise.locator(".bn-status .bn-error").inner_text()
    assert said == f"The link could not be used: {problem}. Showing the gradient exercise of seed 1, medium instead."
    assert asked(exercise) == f"{new_gradient_exercise(1, 'medium').label} ="
    assert page.evaluate("() => window.__xss") is None
    assert page.locator("img[src='x'], script:text('__xss')").count() == 0


@pytest.mark.parametrize("theme, width, height", [("light", 1024, 768), ("dark", 390, 844)])
def test_a_softmax_exercise_gives_p_to_four_digits_and_names_the_error_taken_on_y(page, voila_url, axe_source, theme,
                                                                                   width, height):
    page.set_viewport_size({"width": width, "height": height})
    query = "gradient_seed=8&gradient_difficulty=easy&gradient_loss=softmax_cross_entropy"
    e = new_gradient_exercise(8, "easy", "softmax_cross_entropy")
    exercise = open_exercise(page, voila_url, f"{query}&theme={theme}")
    assert asked(exercise) == f"{e.label} ="
    assert exercise.locator(".bn-gradient-loss select").input_value() == "softmax cross-entropy"  # its label
    assert exercise.locator(".bn-seed").inner_text().startswith(
        "Gradient exercise seed 8, easy, softmax cross-entropy: give the class this seed and difficulty and loss")
    compared = exercise.locator(".bn-gradient-compared")
    assert compared.locator("caption").inner_text() == "P, to four digits"
    Y = e.state.results()[-1][1]
    P = np.exp(Y) / np.exp(Y).sum(axis=0)
    assert compared.locator("td").all_inner_texts() == [format_number(v) for v in P.ravel()]
    box = exercise.locator(".bn-gradient-answer input")
    box.fill(format_number(e.mistakes["error-on-y"]))
    box.press("Enter")
    exercise.locator(".bn-gradient-feedback .bn-not-yet").wait_for()
    assert exercise.locator(".bn-gradient-feedback").inner_text().split("\n")[1].startswith(
        f"✗ {MISTAKES['error-on-y']}. The error is P − T")
    assert serious_violations(page, axe_source) == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    exercise.locator(".bn-gradient-feedback").scroll_into_view_if_needed()
    page.screenshot(path=ARTIFACTS / f"gradient-softmax-{theme}-{width}.png")
    page.wait_for_function(f"() => location.search.includes('&{query}')")
    exercise.locator(".bn-gradient-loss select").select_option(label="mean squared error")
    page.wait_for_function("() => location.search.includes('&gradient_seed=8&gradient_difficulty=easy')"
                           " && !location.search.includes('gradient_loss')")
    assert asked(exercise) == f"{new_gradient_exercise(8, 'easy').label} ="
    assert exercise.locator(".bn-gradient-compared").count() == 0
