"""Links, downloads and uploads on the real Voila page, in headless Chromium."""

import json

import pytest

import batchnet_core as bn

from conftest import MAIN_PAGE, assert_no_error_text, choose_file, open_app, page_values, state_on_page

pytestmark = pytest.mark.browser


def test_a_state_link_opens_exactly_that_state(page, voila_url):
    state = bn.random_state(8, integers=False)
    open_app(page, f"{voila_url}{MAIN_PAGE}?{state.to_query()}")
    assert state_on_page(page) == state
    assert page_values(page, "Y") == bn.forward(state).Y.tolist()
    href = page.get_attribute(".bn-link a", "href")
    assert bn.State.from_query(href.lstrip("?")) == state
    # the web app shows the link, and not what JupyterLab's page says instead
    assert page.get_by_role("link", name="Link to this state").is_visible()
    assert page.locator(".bn-share-lab").count() == 1 and not page.locator(".bn-share-lab").is_visible()
    assert_no_error_text(page)


@pytest.mark.parametrize("query", ["W1=1&b1=0&W2=1&b2=0&x1=<script>alert(1)</script>", "x1=" + "1," * 3000,
                                   "preset=%00%ff", "W1=1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1;1&b1=0"])
def test_a_bad_link_gets_a_message_and_the_worked_example(page, voila_url, query):
    open_app(page, f"{voila_url}{MAIN_PAGE}?{query}")
    assert "The link could not be used" in page.inner_text(".bn-status .bn-error")
    assert state_on_page(page) == bn.preset("three-inputs")
    assert page.locator("script:has-text('alert(1)')").count() == 0


def test_a_link_with_an_input_the_page_cannot_show_says_so(page, voila_url):
    state = bn.random_state(8)
    open_app(page, f"{voila_url}{MAIN_PAGE}?{state.to_query()}&x17=1,2,3")
    assert page.inner_text(".bn-status .bn-error") == ("The link could not be used: x17: a batch holds at most 16 "
                                                       "inputs (x1 to x16). Showing the worked example instead.")
    assert state_on_page(page) == bn.preset("three-inputs")


def test_export_downloads_and_upload_restores(page, voila_url, tmp_path):
    open_app(page, voila_url + MAIN_PAGE)
    page.click(".bn-button-export")
    page.wait_for_selector(".bn-download-json")
    with page.expect_download() as info:
        page.click(".bn-download-json")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert bn.State.from_dict(json.loads(saved.read_text())) == bn.preset("three-inputs")

    other = tmp_path / "other.json"
    other.write_text(json.dumps(bn.random_state(12).to_dict()))
    choose_file(page, other)
    page.wait_for_function("() => document.querySelector('.bn-status').innerText === 'Opened other.json.'")
    assert state_on_page(page) == bn.random_state(12)

    broken = tmp_path / "broken.json"
    broken.write_text('{"W1": [[1, 2]], "b1": "x"}')
    choose_file(page, broken)
    page.wait_for_selector(".bn-status .bn-error")
    assert "broken.json: a state needs exactly the keys" in page.inner_text(".bn-status")
    assert state_on_page(page) == bn.random_state(12)
    assert "Traceback" not in page.inner_text("body")
