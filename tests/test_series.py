"""The list of pages (batchnet_core.series.PAGES) is the notebooks folder, in order, and every notebook
agrees with it: its heading, the start page's table and the navigation cell that ends each page."""

import re
from pathlib import Path

import nbformat
import pytest

from batchnet_core.series import PAGES, navigation

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def read(page) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOKS / page.name, as_version=4)


def test_the_pages_are_the_notebooks_folder_in_order():
    assert [page.name for page in PAGES] == sorted(path.name for path in NOTEBOOKS.glob("*.ipynb"))
    assert len({page.title for page in PAGES}) == len(PAGES)
    assert all(page.title and page.summary and "\n" not in page.summary for page in PAGES)


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.name)
def test_a_page_title_is_its_notebooks_first_heading(page):
    lines = [line for cell in read(page).cells if cell.cell_type == "markdown" for line in cell.source.splitlines()]
    headings = [line[2:].strip() for line in lines if line.startswith("# ")]
    assert headings[0] == page.title


@pytest.mark.parametrize("index", range(len(PAGES)), ids=[page.name for page in PAGES])
def test_every_page_ends_linking_to_the_previous_page_the_start_and_the_next(index):
    page = PAGES[index]
    last = read(page).cells[-1]
    assert last.cell_type == "markdown"
    assert last.source == navigation(page.name)
    targets = [target for _, target in LINK.findall(last.source)]
    expected = []
    if index > 0:
        expected.append(PAGES[index - 1].name)
    if index > 1:
        expected.append(PAGES[0].name)
    if index < len(PAGES) - 1:
        expected.append(PAGES[index + 1].name)
    assert targets == expected
    texts = {target: text for text, target in LINK.findall(last.source)}
    if index > 0:
        assert texts[PAGES[index - 1].name] == f"← Previous: {PAGES[index - 1].title}"
    if index < len(PAGES) - 1:
        assert texts[PAGES[index + 1].name] == f"Next: {PAGES[index + 1].title} →"


def test_no_other_cell_links_to_a_page_but_the_start_pages_table():
    """The navigation lives in one cell per page: no stray hand-written links to drift from the list."""
    for page in PAGES:
        cells = read(page).cells[:-1]
        links = [target for cell in cells if cell.cell_type == "markdown" for _, target in LINK.findall(cell.source)
                 if target.endswith(".ipynb")]
        assert links == ([p.name for p in PAGES[1:]] if page is PAGES[0] else []), page.name


def test_the_start_pages_table_is_the_list_of_pages():
    rows = [line for line in read(PAGES[0]).cells[0].source.splitlines() if line.startswith("| [")]
    assert rows == [f"| [{number}. {page.title}]({page.name}) | {page.summary} |"
                    for number, page in enumerate(PAGES) if number > 0]
