"""Every page of the series in the real Voila server, in headless Chromium."""

import pytest

import batchnet_core as bn
from batchnet_core.exercises import check_answer, new_exercise, new_missing

from conftest import (
    assert_no_error_text,
    assert_results_follow_the_state,
    open_app,
    page_values,
    render,
    state_on_page,
)

pytestmark = pytest.mark.browser


def test_the_tree_and_the_start_page_lead_to_every_page(page, voila_url):
    page.goto(voila_url)
    page.wait_for_selector("text=00_start_here", timeout=30_000)
    tree = page.inner_text("body")
    for name in ("00_start_here", "01_one_input", "02_batch_of_three", "03_by_hand", "04_why_batch",
                 "05_playground"):
        assert name in tree
    page.goto(render(voila_url, "00_start_here"))
    page.wait_for_selector("text=Using the controls")
    assert page.locator("a[href='01_one_input.ipynb']").count() == 1
    page.click("a[href='02_batch_of_three.ipynb']")
    page.wait_for_selector(".bn-values-Y", state="attached", timeout=90_000)
    assert page.url.split("?")[0].endswith("voila/render/02_batch_of_three.ipynb")  # the query follows the state
    assert_no_error_text(page)


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
    assert "seed must be a whole number from 0 to 1,000,000,000 (got 'abc'). Showing seed 1, medium instead." \
        in page.inner_text(".bn-status")


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
