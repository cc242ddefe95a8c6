"""Write the first screen's copy of ipywidgets' style sheet, as the installed widgets give it to the page.

    .venv/bin/python scripts/widget_styles.py

An app's picture (batchnet_core/ui/first_screen.py) is made of the elements and classes ipywidgets' views
make, shown before the widgets' code has arrived; that code brings their style sheet with it, so the
template loads this copy first (static/widgets.css). It is read from the page itself: the rules Voila's
front end puts into the page (``<style>`` elements) for widgets, sliders and their variables, under
``make app`` in Chromium. ``tests/test_browser_first_screen.py`` fails when the installed widgets'
rules are no longer the copy's, and says to run this again.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_ARGS, MAIN_PAGE, make_server, open_app  # noqa: E402

WIDGET_STYLES = ROOT / "share/jupyter/voila/templates/batchnet/static/widgets.css"
HEADER = ("/* ipywidgets' style sheet as its installed front end puts it into a page, for the first screen\n"
          "   (written by scripts/widget_styles.py; do not edit).\n"
          "   Copyright (c) Jupyter Development Team, BSD 3-Clause License. */\n")

#: (A script's expression) The widgets' rules in a page: from the ``<style>`` elements Voila's front end added
#: (none of the page's cells', none of batchnet's own), those about widgets, sliders and their variables.
READ_RULES = r"""() => [...document.querySelectorAll('style')]
  .filter(style => !style.closest('#rendered_cells'))
  .flatMap(style => [...style.sheet.cssRules].map(rule => rule.cssText))
  .filter(text => /widget|jupyter-button|noUi|--jp-widgets/.test(text) && !/bn-/.test(text))"""


def widget_rules(page) -> str:
    """The widgets' style sheet as the page at hand has it: one rule a line."""
    return "\n".join(page.evaluate(READ_RULES)) + "\n"


def main() -> None:
    with make_server("app", name="widget-styles") as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page()
        open_app(page, server.url + MAIN_PAGE)
        WIDGET_STYLES.write_text(HEADER + widget_rules(page))
        browser.close()
    print(f"wrote {WIDGET_STYLES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
