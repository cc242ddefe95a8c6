"""Screenshots of every page as learners see it: `make app` in headless Chromium, at a desktop's,
a projector's and a phone's size, light and dark; and the playground at its largest.

    .venv/bin/python scripts/screenshots.py [OUT_DIR [ONLY]]   (default test-artifacts/screens; ONLY: a
    part of the names of the shots to take, e.g. 02_batch-phone)

Look at the PNGs after any change to what a page shows.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from playwright.sync_api import sync_playwright  # noqa: E402

import batchnet_core as bn  # noqa: E402
from batchnet_core import series  # noqa: E402

from conftest import CHROMIUM, CHROMIUM_ARGS, make_server, open_app  # noqa: E402

SCREENS = {"1400": (1400, 1000), "1024x768": (1024, 768), "1280x720": (1280, 720), "phone": (390, 844)}
PAGES = [page.name.removesuffix(".ipynb") for page in series.PAGES]


#: How the page fits: its widths, where its heat maps end, how far they are scaled down, its full height.
FIT = """() => {
  const maps = [...document.querySelectorAll('svg.bn-heatmap')];
  const scrolled = [...document.querySelectorAll('*')].map(e => e.scrollHeight);
  return {scrollWidth: document.documentElement.scrollWidth,
          right: Math.round(Math.max(0, ...maps.map(m => m.getBoundingClientRect().right))),
          scale: Math.min(1, ...maps.map(m => m.getBoundingClientRect().width / m.viewBox.baseVal.width)).toFixed(2),
          height: Math.max(...scrolled) + 40};
}"""


def main(out: Path, only: str = "") -> None:
    out.mkdir(parents=True, exist_ok=True)
    with make_server("app", name="screens") as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        shots = [("index", "", screen, theme) for screen in SCREENS for theme in ("light", "dark")]
        shots += [(name, "", screen, theme) for name in PAGES for screen in SCREENS for theme in ("light", "dark")
                  if theme == "light" or screen == "1024x768"]
        largest = bn.random_state(1, (8, 8, 8, 8)).to_query()
        shots += [("05_playground", largest, screen, "light") for screen in SCREENS]
        for name, query, screen, theme in shots:
            stem = f"{name}{'-big' if query else ''}-{screen}-{theme}"
            if only not in stem:
                continue
            width, height = SCREENS[screen]
            page = browser.new_page(viewport={"width": width, "height": height})
            parameters = "&".join(p for p in (query, "theme=dark" if theme == "dark" else "") if p)
            url = server.url + (f"voila/render/{name}.ipynb" if name != "index" else "")
            url += f"?{parameters}" if parameters else ""
            if name in ("index", "00_start_here", "03_by_hand", "04_why_batch"):
                page.goto(url, timeout=90_000)
                page.wait_for_load_state("networkidle", timeout=90_000)
            else:
                open_app(page, url)
            fit = page.evaluate(FIT)
            # the whole page at this width: Voila scrolls inside the page, so grow the window to it
            page.set_viewport_size({"width": width, "height": max(height, min(fit["height"], 6000))})
            page.wait_for_timeout(300)  # a resize lays the page out again
            page.screenshot(path=str(out / f"{stem}.png"))
            print(f"{stem}: page {fit['scrollWidth']} px wide in {width}; heat maps end at {fit['right']} px, "
                  f"smallest scale {fit['scale']}")
            page.close()
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("test-artifacts/screens"), *sys.argv[2:3])
