"""Each layer's activation, chosen on pages 05 and 06 of the real Voila page (``make app``) in Chromium: the
pictures, titles and numbers follow, ReLU's hatching goes where ReLU goes, the address carries the choice and
opens it again, a step of training takes it, and the page stays axe-clean in light and dark, at 1024 and 390 px."""

import numpy as np
import pytest
from test_browser_train import T, open_training, shown_loss, table, wait_for_loss

import batchnet_core as bn

from conftest import ARTIFACTS, close_tab, new_tab, open_app, page_values, render, serious_violations, wait_for_value

pytestmark = pytest.mark.browser

#: The hatched cells of one heat map: ReLU's zeros.
HATCHED = "(key) => document.querySelectorAll(`svg.bn-heatmap-${key} .bn-drawn-cell rect[visibility='visible']`).length"


def title_shows(page, key: str, title: str) -> None:
    page.wait_for_function("([key, title]) => document.querySelector(`svg.bn-heatmap-${key}`)?.textContent"
                           ".includes(title)", arg=[key, title], timeout=30_000)


@pytest.mark.parametrize("theme, width", [("light", 1024), ("dark", 390)])
def test_a_layers_activation_chosen_on_the_playground(browser, voila_url, axe_source, theme, width):
    worked = bn.preset("three-inputs")
    page = new_tab(browser, viewport={"width": width, "height": 800})
    query = "theme=dark" if theme == "dark" else ""
    try:
        open_app(page, render(voila_url, "05_playground", query))
        assert page.evaluate(HATCHED, "H") == 5  # ReLU's zeros of the worked example
        page.select_option(".bn-activation-1 select", "tanh")
        title_shows(page, "H", "H = tanh(H_z)")
        chosen = worked.replace(activations=("tanh", "relu"))
        trace = bn.forward(chosen)
        np.testing.assert_allclose(page_values(page, "H"), trace.H, rtol=1e-12)
        np.testing.assert_allclose(page_values(page, "Y"), trace.Y, rtol=1e-12)
        assert page.evaluate(HATCHED, "H") == 0 and page.evaluate(HATCHED, "Y") == int(trace.zeroed("Y").sum())
        assert "H = tanh(H_z): tanh squashes the sum into −1 to 1" in page.inner_text(".bn-status")
        page.wait_for_function("() => new URLSearchParams(location.search).get('activations') === 'tanh,relu'")
        assert serious_violations(page, axe_source) == []
        address = page.url
    finally:
        close_tab(page)
    again = new_tab(browser, viewport={"width": width, "height": 800})
    try:  # the address opens the same network with the same choice
        open_app(again, address)
        title_shows(again, "H", "H = tanh(H_z)")
        assert again.input_value(".bn-activation-1 select") == "tanh"
        np.testing.assert_allclose(page_values(again, "H"), trace.H, rtol=1e-12)
    finally:
        close_tab(again)


def test_a_step_of_training_takes_the_layers_activations(page, voila_url):
    worked = bn.preset("three-inputs")
    open_training(page, render(voila_url, "06_train_the_batch"))
    page.select_option(".bn-train .bn-activation-2 select", "sigmoid")
    chosen = worked.replace(activations=("relu", "sigmoid"))
    wait_for_loss(page, bn.loss(chosen, T))
    page.wait_for_function("() => [...document.querySelectorAll('.bn-train-maps svg')]"
                           ".some(svg => svg.textContent.includes('δ2 = (Y − T) ⊙ sigmoid′(Y_z)'))", timeout=30_000)
    np.testing.assert_allclose(table(page, "dW2"), bn.backward(chosen, T).W2, rtol=1e-12)
    page.click("button.bn-train-step")
    stepped = bn.sgd_step(chosen, T, 0.03)
    wait_for_loss(page, bn.loss(stepped, T))
    wait_for_value(page, "W2", 1, 1, float(stepped.W2[1, 1]))
    np.testing.assert_allclose(table(page, "W2"), stepped.W2, rtol=1e-12)
    assert shown_loss(page) == pytest.approx(bn.loss(stepped, T), rel=1e-12)


@pytest.mark.parametrize("theme, width", [("light", 1024), ("dark", 390)])
def test_softmax_cross_entropy_chosen_on_the_training_page(browser, voila_url, axe_source, theme, width):
    """The loss's choice makes the last layer linear and holds it, each input's class is chosen, P and P − T are
    drawn, a step lowers the loss, and the address opens the same loss and classes again."""
    ce = "softmax_cross_entropy"
    logits = bn.preset("three-inputs").replace(activations=("relu", "linear"))
    page = new_tab(browser, viewport={"width": width, "height": 800})
    try:
        open_training(page, render(voila_url, "06_train_the_batch", "theme=dark" if theme == "dark" else ""))
        page.select_option(".bn-loss-choice select", label="softmax cross-entropy")
        classes = np.array([[1.0, 0, 1], [0, 1, 0]])
        wait_for_loss(page, bn.loss(logits, classes, loss=ce))
        assert page.is_disabled(".bn-train .bn-activation-2 select")
        assert page.input_value(".bn-train .bn-activation-2 select") == "linear"
        title_shows(page, "P", "P = softmax(Y), each column")
        g = bn.backward(logits, classes, loss=ce)
        np.testing.assert_allclose(table(page, "P"), g.outputs, rtol=1e-12)
        np.testing.assert_allclose(table(page, "E"), g.outputs - classes, rtol=1e-12, atol=1e-15)
        page.select_option(".bn-target-class-2 select", label="y1")  # x2 is of class y1
        classes = np.array([[1.0, 1, 1], [0, 0, 0]])
        wait_for_loss(page, bn.loss(logits, classes, loss=ce))
        page.click("button.bn-train-step")
        stepped = bn.sgd_step(logits, classes, 0.03, loss=ce)
        wait_for_loss(page, bn.loss(stepped, classes, loss=ce))
        page.wait_for_function("() => new URLSearchParams(location.search).get('loss') === 'softmax_cross_entropy'")
        assert serious_violations(page, axe_source) == []
        page.screenshot(path=ARTIFACTS / f"softmax-cross-entropy-{theme}-{width}.png", full_page=True)
        page.locator(".bn-train-maps").screenshot(path=ARTIFACTS / f"softmax-cross-entropy-maps-{theme}-{width}.png")
        address = page.url
    finally:
        close_tab(page)
    again = new_tab(browser, viewport={"width": width, "height": 800})
    try:
        again.goto(address, timeout=90_000)  # one heat map more than open_training counts: P
        again.wait_for_selector(".bn-loss", state="attached", timeout=90_000)
        wait_for_loss(again, bn.loss(stepped, classes, loss=ce))
        assert again.input_value(".bn-loss-choice select") == "softmax cross-entropy"
        assert again.input_value(".bn-target-class-2 select") == "y1"
    finally:
        close_tab(again)
