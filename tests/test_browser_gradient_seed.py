"""Page 06's gradient exercise has a seed of its own in the link (``gradient_seed``, ``gradient_difficulty``),
shown above it and kept in the page's address: the real Voila server (``make app``) in Chromium."""

import pytest

from batchnet_core.gradient_exercises import new_gradient_exercise

from conftest import open_app, render

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
