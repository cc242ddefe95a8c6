"""Page 06, Train on the batch, in Chromium against ``make app`` (Voila) and in JupyterLab: a step, a run,
a clicked gradient cell, a typed target; it fits every screen, dark too; axe finds nothing serious."""

import json

import numpy as np
import pytest
from test_browser_lab import jupyterlab, run_notebook

import batchnet_core as bn
from batchnet_core.gradient_exercises import new_gradient_exercise

from conftest import (
    ARTIFACTS,
    HEAT_MAPS_DRAWN,
    TRAINING_HEAT_MAPS,
    close_tab,
    new_tab,
    render,
    serious_violations,
    wait_for_value,
)
from test_browser_layout import DRAWN_FOR, SCREENS, assert_every_heat_map_fits, theme_ink

pytestmark = pytest.mark.browser

T = [[1, 0, 1], [2, 2, 2]]


def open_training(page, url: str) -> None:
    page.goto(url, timeout=90_000)
    page.wait_for_selector(".bn-loss", state="attached", timeout=90_000)
    page.wait_for_function(f"() => document.querySelectorAll('svg.bn-heatmap').length === {TRAINING_HEAT_MAPS} && "
                           f"{HEAT_MAPS_DRAWN}",
                           timeout=90_000)


def shown_loss(page) -> float:
    return float(page.get_attribute(".bn-loss", "data-value"))


def wait_for_loss(page, value: float) -> None:
    page.wait_for_function("(v) => Math.abs(Number(document.querySelector('.bn-loss').dataset.value) - v) < 1e-12",
                           arg=value, timeout=30_000)


def table(page, name: str) -> list:
    return json.loads(page.get_attribute(f".bn-values-{name}", "data-values"))


def test_a_step_a_run_and_a_clicked_gradient_in_voila(page, voila_url, worked):
    open_training(page, render(voila_url, "06_train_the_batch"))
    assert shown_loss(page) == pytest.approx(4 / 3)
    np.testing.assert_allclose(table(page, "dW2"), bn.backward(worked, T).W2)
    page.click("button.bn-train-step")
    stepped = bn.sgd_step(worked, T, 0.03)
    wait_for_loss(page, bn.loss(stepped, T))
    wait_for_value(page, "W2", 1, 1, float(stepped.W2[1, 1]))  # the worksheet follows the step, in a message of its own
    np.testing.assert_allclose(table(page, "W2"), stepped.W2)
    np.testing.assert_allclose(table(page, "dW1"), bn.backward(stepped, T).W1)
    page.wait_for_selector(".bn-loss-curve img")

    page.fill(".bn-train-steps input", "20")
    page.press(".bn-train-steps input", "Enter")
    page.wait_for_function("() => document.querySelector('.bn-status').innerText.includes('Steps = 20')")
    page.click("button.bn-train-run")
    state = stepped
    for _ in range(20):
        state = bn.sgd_step(state, T, 0.03)
    wait_for_loss(page, bn.loss(state, T))
    page.wait_for_function("() => document.querySelector('.bn-status').innerText.includes("
                           "'Trained 21 steps so far in this run')")
    assert "21 steps" in page.get_attribute(".bn-loss-curve img", "alt")

    # a gradient cell, clicked: its terms, one per input, and their average
    page.click("button[data-cell='dW1,2,0']")
    e = bn.explain_gradient(state, T, "W1", 2, 0)
    page.wait_for_function("(t) => document.querySelector('.bn-grad-explain').innerText.includes(t)", arg=e.text)
    assert page.locator(".bn-grad-terms tr").count() == 1 + 3
    assert page.get_attribute("button[data-cell='dW1,2,0']", "aria-current") == "true"
    # and by keyboard: the focus stays on the cell through the redraw
    page.focus("button[data-cell='delta2,1,2']")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.querySelector('.bn-grad-explain').innerText.includes('δ2[y2, x3]')")
    assert page.evaluate("document.activeElement.dataset.cell") == "delta2,1,2"
    assert "; explain" in page.evaluate("document.activeElement.getAttribute('aria-label')")


def test_typed_targets_and_settings_in_voila(page, voila_url, worked):
    open_training(page, render(voila_url, "06_train_the_batch"))
    box = page.get_by_role("textbox", name="T row y1, target for x1")
    box.fill("0")
    box.press("Enter")
    wait_for_loss(page, bn.loss(worked, [[0, 0, 1], [2, 2, 2]]))
    # the link is a widget of its own, updated after the loss: wait for it rather than read it at once
    page.wait_for_function("() => document.querySelector('a.bn-address').getAttribute('href')"
                           ".includes('T=0,0,1;2,2,2')")
    page.fill(".bn-learning-rate input", "lots")
    page.press(".bn-learning-rate input", "Enter")
    page.wait_for_function("() => document.querySelector('.bn-status [role=alert]')?.innerText"
                           ".includes(\"Learning rate: 'lots' is not a number\")")
    assert page.input_value(".bn-learning-rate input") == "0.03"
    assert "Traceback" not in page.inner_text("body")


def test_the_link_keeps_the_targets_and_the_state(page, voila_url, worked):
    query = bn.sgd_step(worked, T, 0.03).to_query() + "&T=0,0,0;1,1,1"
    open_training(page, render(voila_url, "06_train_the_batch", query))
    targets = [[0, 0, 0], [1, 1, 1]]
    np.testing.assert_array_equal(table(page, "T"), targets)
    assert shown_loss(page) == pytest.approx(bn.loss(bn.sgd_step(worked, T, 0.03), targets))


@pytest.mark.parametrize("screen", ["projector", "phone"])
def test_the_training_page_fits_every_screen(browser, voila_url, screen):
    width, height = SCREENS[screen]
    page = new_tab(browser, viewport={"width": width, "height": height})
    try:
        open_training(page, render(voila_url, "06_train_the_batch"))
        assert_every_heat_map_fits(page, TRAINING_HEAT_MAPS)
        # each gradient cell's button lies over its own cell of the picture
        for cell, key in (("dW2,1,2", "dW2db2"), ("db1,3,0", "dW1db1"), ("delta1,2,2", "delta1")):
            button = page.locator(f"button[data-cell='{cell}']").bounding_box()
            image = page.locator(f"svg.bn-heatmap-{key}").bounding_box()
            rows, cols = (4, 4) if key == "dW1db1" else (2, 5) if key == "dW2db2" else (4, 3)
            centre = (button["x"] + button["width"] / 2 - image["x"], button["y"] + button["height"] / 2 - image["y"])
            assert 0 < centre[0] < image["width"] and 0 < centre[1] < image["height"], cell
            assert button["width"] < image["width"] / cols and button["height"] < image["height"] / rows, cell
        neighbours = [page.locator(f"button[data-cell='dW2,1,{c}']").bounding_box()["x"] for c in range(4)]
        assert neighbours == sorted(neighbours), "the buttons of a row run left to right, as its cells"
        page.screenshot(path=str(ARTIFACTS / f"train-{screen}.png"), full_page=True)
    finally:
        close_tab(page)


def test_the_dark_training_page_is_drawn_dark(page, voila_url):
    open_training(page, render(voila_url, "06_train_the_batch", "theme=dark"))
    page.wait_for_function(DRAWN_FOR, arg=theme_ink("dark"), timeout=60_000)
    page.click("button.bn-train-step")
    page.wait_for_selector(".bn-loss-curve img")


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_training_page_has_no_serious_violation(page, voila_url, axe_source, theme):  # noqa: F811
    open_training(page, render(voila_url, "06_train_the_batch", f"theme={theme}"))
    assert serious_violations(page, axe_source) == []
    page.click("button.bn-train-step")
    page.wait_for_selector(".bn-loss-curve img")
    page.click("button[data-cell='delta1,2,0']")
    page.wait_for_function("() => document.querySelector('.bn-grad-explain').innerText.includes('δ1[h3, x1]')")
    assert serious_violations(page, axe_source) == []


def test_the_training_page_runs_in_jupyterlab_dark(browser, tmp_path, worked):
    page = new_tab(browser, viewport={"width": 1280, "height": 900})
    try:
        with jupyterlab(tmp_path, theme="JupyterLab Dark") as url:
            run_notebook(page, url, "06_train_the_batch", heat_maps=TRAINING_HEAT_MAPS)
            page.wait_for_function(DRAWN_FOR, arg=theme_ink("dark"), timeout=30_000)
            assert shown_loss(page) == pytest.approx(4 / 3)
            page.click("button.bn-train-step")
            wait_for_loss(page, bn.loss(bn.sgd_step(worked, T, 0.03), T))
            page.click("button[data-cell='dW2,1,2']")
            page.wait_for_function("() => document.querySelector('.bn-grad-explain').innerText"
                                   ".includes('dW2[y2, h3] = mean over the batch')")
            assert "Traceback" not in page.inner_text("body")
            page.locator(".bn-train").scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-dark-train-1280.png"))
    finally:
        close_tab(page)


def test_a_gradient_worked_out_by_hand_is_checked_on_the_page(page, voila_url):
    open_training(page, render(voila_url, "06_train_the_batch"))
    exercise = new_gradient_exercise(1, "medium")
    box = page.locator(".bn-gradient-answer input")
    box.fill(bn.format_number(exercise.mistakes["batch-sum"]).replace("−", "-"))
    box.press("Enter")
    page.wait_for_selector(".bn-gradient-feedback .bn-not-yet")
    assert "mean" in page.inner_text(".bn-gradient-feedback")
    box.fill(repr(exercise.answer))
    box.press("Enter")
    page.wait_for_selector(".bn-gradient-feedback .bn-correct")


def test_mini_batches_are_trained_and_timed_on_the_page(page, voila_url, axe_source):  # noqa: F811
    open_training(page, render(voila_url, "06_train_the_batch"))
    page.click("button.bn-minibatch-run")
    page.wait_for_selector(".bn-minibatch-table tr >> nth=3", timeout=60_000)
    rows = page.locator(".bn-minibatch-table tr").all_inner_texts()
    assert [row.split()[0] for row in rows[1:]] == ["64", "8", "1"]
    alt = page.get_attribute("img.bn-minibatch-plot", "alt")
    assert alt and "epoch" in alt
    assert serious_violations(page, axe_source) == []
