"""Write the navigation cell that ends every page of the series, from ``batchnet_core.series``.

    python scripts/series_navigation.py

Each notebook in ``notebooks/`` listed in ``PAGES`` ends with one markdown cell (id
``series-navigation``) linking to the previous page, the start and the next page; this writes it,
or rewrites it when the list of pages changes. ``tests/test_series.py`` checks the notebooks agree.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

from batchnet_core.series import PAGES, navigation

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
CELL_ID = "series-navigation"


def with_navigation(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """``nb`` ending with its navigation cell, written or rewritten in place.

    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Train", id="cell-0")])
    >>> nb = with_navigation(with_navigation(nb, "06_train_the_batch.ipynb"), "06_train_the_batch.ipynb")
    >>> [cell.id for cell in nb.cells]
    ['cell-0', 'series-navigation']
    >>> print(nb.cells[-1].source.splitlines()[-1])
    [← Previous: Playground](05_playground.ipynb) · [Start here](00_start_here.ipynb)
    """
    nb.cells = [cell for cell in nb.cells if cell.get("id") != CELL_ID]
    nb.cells.append(nbformat.v4.new_markdown_cell(navigation(name), id=CELL_ID))
    return nb


def main() -> None:
    for page in PAGES:
        path = NOTEBOOKS / page.name
        nb = with_navigation(nbformat.read(path, as_version=4), page.name)
        path.write_text(nbformat.writes(nb) + "\n")


if __name__ == "__main__":
    main()
