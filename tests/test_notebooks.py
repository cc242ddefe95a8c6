"""Every notebook is stored clean, stays thin, and runs top to bottom headless."""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from batchnet_core.series import PAGES
from batchnet_core.ui.first_screen import FIRST_SCREEN

#: Every page of the series (test_series.py checks that notebooks/ holds these and no other).
NOTEBOOKS = [Path(__file__).resolve().parent.parent / "notebooks" / page.name for page in PAGES]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs_and_defines_nothing(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert "widgets" not in nb.metadata
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
            assert "def " not in cell.source and "class " not in cell.source, "logic belongs in batchnet_core"
    assert nb.metadata.get("title", "").startswith("batchnet")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_headless_and_displays_widgets(path):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}},
                   store_widget_state=True).execute()
    code_cells = [cell for cell in nb.cells if cell.cell_type == "code"]
    outputs = [o for cell in code_cells for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    if code_cells:  # a page of prose only (the start page) displays no widgets
        assert all(any(WIDGET_VIEW in o.get("data", {}) for o in cell.outputs) for cell in code_cells[-1:])
        # every app the page shows brings its picture for the first screen
        shown = [o["data"] for o in outputs if WIDGET_VIEW in o.get("data", {})]
        assert shown and all(FIRST_SCREEN in data for data in shown)
        assert nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]


def test_start_page_links_to_every_page():
    start = nbformat.read(NOTEBOOKS[0], as_version=4)
    text = "".join(cell.source for cell in start.cells)
    for path in NOTEBOOKS[1:]:
        assert f"]({path.name})" in text
