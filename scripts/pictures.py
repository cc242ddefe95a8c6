"""The pictures of the app that the repository keeps, taken from the page as it is now: the worksheet
of page 02 (its controls, its Notation switch, its heat maps and their legend) on a wide screen, light.

    .venv/bin/python scripts/pictures.py

writes the README's docs/images/app.png and the welcome page's picture (the Voila template's
static/worksheet.png, in 256 colours), and sets the size the welcome page declares for it. Run it
after any change to what the worksheet shows, and look at the result.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from PIL import Image, ImageChops  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_ARGS, MAIN_PAGE, make_server, open_app  # noqa: E402

README_PICTURE = ROOT / "docs" / "images" / "app.png"
TEMPLATE = ROOT / "share" / "jupyter" / "voila" / "templates" / "batchnet"
WELCOME_PICTURE = TEMPLATE / "static" / "worksheet.png"
WELCOME_PAGE = TEMPLATE / "tree.html"
#: A wide screen: the worksheet laid out as on paper, each layer's controls beside its heat maps.
SCREEN = {"width": 1400, "height": 1000}
#: Page left around what the worksheet draws, in pixels: its grid is wider than its last column.
MARGIN = 8


def worksheet_png() -> bytes:
    """The worksheet of page 02 as ``make app`` shows it, cut to the worksheet's own box."""
    with make_server("app", name="pictures") as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=SCREEN)
        open_app(page, server.url + MAIN_PAGE)
        picture = page.locator(".bn-worksheet").screenshot()
        browser.close()
    return picture


def trimmed(picture: Image.Image) -> Image.Image:
    """The picture without the page's empty background right of and below what is drawn."""
    background = Image.new("RGB", picture.size, picture.getpixel((picture.width - 1, picture.height - 1)))
    _, _, right, bottom = ImageChops.difference(picture, background).getbbox()
    return picture.crop((0, 0, min(picture.width, right + MARGIN), min(picture.height, bottom + MARGIN)))


def main() -> None:
    picture = trimmed(Image.open(io.BytesIO(worksheet_png())).convert("RGB"))
    README_PICTURE.parent.mkdir(parents=True, exist_ok=True)
    picture.save(README_PICTURE, optimize=True)
    picture.quantize(256).save(WELCOME_PICTURE, optimize=True)
    width, height = picture.size
    page = WELCOME_PAGE.read_text()
    declared = re.compile(r"(<img src=\"\{\{ include_url\('static/worksheet\.png'\) \}\}\") width=\"\d+\" "
                          r"height=\"\d+\"")
    if not declared.search(page):
        raise SystemExit(f"{WELCOME_PAGE}: the worksheet picture's <img> was not found")
    WELCOME_PAGE.write_text(declared.sub(rf'\1 width="{width}" height="{height}"', page))
    print(f"{README_PICTURE.relative_to(ROOT)} and {WELCOME_PICTURE.relative_to(ROOT)}: {width} × {height}")


if __name__ == "__main__":
    main()
