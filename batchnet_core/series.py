"""The series of pages in ``notebooks/``, in order: the one list that the welcome page (the Voila
template's ``tree.html``, given :data:`PAGES` by ``batchnet_core.serving``), the start page's table
and every page's navigation cell are made from and tested against.

A page's ``title`` is its notebook's first ``# `` heading, and the ``<title>`` of its Voila page.

>>> [page.name for page in PAGES][:2]
['00_start_here.ipynb', '01_one_input.ipynb']
"""

from __future__ import annotations

from typing import NamedTuple


class Page(NamedTuple):
    """One notebook of the series: its file name, its title and what a learner does there."""

    name: str
    title: str
    summary: str


PAGES: tuple[Page, ...] = (
    Page("00_start_here.ipynb", "Start here",
         "What the series teaches, and how the sliders, boxes and heat maps work"),
    Page("01_one_input.ipynb", "One input through the network",
         "Send one input vector through the network; count its 26 parameters; see ReLU act cell by cell"),
    Page("02_batch_of_three.ipynb", "A batch of three inputs, by hand and live",
         "Stack three inputs as the columns of X and push them through together"),
    Page("03_by_hand.ipynb", "Work it out by hand",
         "Fill in blank cells yourself and get told what went wrong; predict ReLU; solve backwards"),
    Page("04_why_batch.ipynb", "Why batch?",
         "Time a loop over inputs against one matrix product on your own machine"),
    Page("05_playground.ipynb", "Playground",
         "Choose 1 to 4 layers and any sizes from 1 to 8, and explore"),
    Page("06_train_the_batch.ipynb", "Train on the batch",
         "Set targets, see every gradient as the average over the batch, and train step by step; why mini-batches"),
)

#: The page where exercises are worked by hand (03): an authored exercise's link opens it.
EXERCISE_PAGE = PAGES[3]

NAVIGATION_RULE = "---\n\n"  # the navigation cell starts with a horizontal rule, below the page's content


def navigation(name: str) -> str:
    """The markdown of the navigation cell that ends page ``name``: the previous page, the start
    and the next page, each once (the start page is also the previous one of page 01).

    The links are relative, so they work in JupyterLab and in Voila alike.

    >>> print(navigation("03_by_hand.ipynb"))
    ---
    <BLANKLINE>
    [← Previous: A batch of three inputs, by hand and live](02_batch_of_three.ipynb) · [Start here](00_start_here.ipynb) · [Next: Why batch? →](04_why_batch.ipynb)
    >>> print(navigation("01_one_input.ipynb").split("\\n")[-1])
    [← Previous: Start here](00_start_here.ipynb) · [Next: A batch of three inputs, by hand and live →](02_batch_of_three.ipynb)
    """  # noqa: E501
    names = [page.name for page in PAGES]
    index = names.index(name)
    start = PAGES[0]
    links = []
    if index > 0:
        previous = PAGES[index - 1]
        links.append(f"[← Previous: {previous.title}]({previous.name})")
    if index > 1:
        links.append(f"[{start.title}]({start.name})")
    if index + 1 < len(PAGES):
        following = PAGES[index + 1]
        links.append(f"[Next: {following.title} →]({following.name})")
    return NAVIGATION_RULE + " · ".join(links)
