"""Passing a state around: the page's link, downloads (JSON, CSV, numpy script, PNG) and upload."""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Callable

import ipywidgets as widgets
from PIL import Image

from ..convert import state_to_csv
from ..nn.formats import data_from_json
from ..nn.state import State
from ..notation import NOTATIONS
from ..worksheet import MAX_VERSIONS, worksheet_pdf
from .drawing import TextPart
from .heatmap import THEMES
from .views import html_widget

#: Largest state file accepted for upload; a full 16-wide state is a few kilobytes.
MAX_UPLOAD_BYTES = 100_000


def download_link(label: str, filename: str, mime: str, data: bytes, now: bool = False) -> str:
    """An anchor that saves ``data`` as ``filename``: a data URL works in Voila and JupyterLab alike.
    ``now``: the page script clicks it as soon as it arrives."""
    encoded = base64.b64encode(data).decode("ascii")
    kind = filename.rsplit('.', 1)[-1] if not filename.endswith("_torch.py") else "torch"
    return (f"<a class='bn-download bn-download-{kind}{' bn-download-now' if now else ''}' download='{filename}' "
            f"href='data:{mime};base64,{encoded}'>{label}</a>")


def worksheet_links(state: State, convention: str, versions: int = 1, now: bool = False,
                    blanks: list | None = None) -> list[str]:
    """The students' worksheet and its answer key, two files: ``now`` downloads the sheet at once. ``blanks``:
    the result cells left empty (``exercises.Cell``), every one by default."""
    def pdf(answers: bool) -> bytes:
        return worksheet_pdf(state, io.BytesIO(), convention, answers=answers, blanks=blanks,
                             versions=versions).getvalue()

    return [download_link("students' worksheet (PDF)", "batchnet-worksheet.pdf", "application/pdf", pdf(False),
                          now=now),
            download_link("answer key (PDF)", "batchnet-worksheet-key.pdf", "application/pdf", pdf(True))]


def worksheet_png(images: dict[str, bytes], places: dict[str, tuple[int, int]], background: str) -> bytes:
    """The heat map panels combined into one picture, each at its (row, column) in ``places``, as on the page."""
    panels = {name: Image.open(io.BytesIO(data)) for name, data in images.items() if data}
    widths, heights = [0] * 3, [0] * (1 + max(row for row, _ in places.values()))
    for name, panel in panels.items():
        row, col = places[name]
        widths[col] = max(widths[col], panel.width)
        heights[row] = max(heights[row], panel.height)
    sheet = Image.new("RGB", (sum(widths), sum(heights)), background)
    for name, panel in panels.items():
        row, col = places[name]
        sheet.paste(panel, (sum(widths[:col]), sum(heights[:row])))
    out = io.BytesIO()
    sheet.save(out, format="png")
    return out.getvalue()


def read_state_file(name: str, content: bytes) -> State:
    """A state from an uploaded JSON file, or ``ValueError`` saying what is wrong with it
    (``formats.data_from_json`` reads the file, ``State.from_dict`` its fields)."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValueError(f"{name} is {len(content):,} bytes; a state file is at most {MAX_UPLOAD_BYTES:,}")
    try:
        return State.from_dict(data_from_json(content))
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


class SharePanel:
    """Link to this state, export buttons and an upload box, for one ``BatchApp``."""

    def __init__(self, app, say: Callable[..., None], guard: Callable) -> None:
        self.app, self.say = app, say
        #: Other parts of the page whose settings its link carries too, after the state's, in order (06's
        #: targets and loss, then its gradient exercise's seed and difficulty); each part calls ``follow`` or
        #: ``show`` when they change.
        self.page_parts: list[Callable[[], str]] = []
        self.link = TextPart(app.drawing, "link", "bn-link")
        # the same words whatever the state: written once, not sent with every link
        self.link_in_lab = html_widget(
            "<span class='bn-link-lab'>A link to this state works in the web app (make app, Binder's Voila link). "
            "In JupyterLab, pass a state on as a file: Export… → state (JSON), and Open a state.</span>",
            "bn-share-lab")
        export = widgets.Button(description="Export…",
                                tooltip="Download this state as JSON, CSV, a numpy script or a picture")
        export.add_class("bn-button-export")
        export.on_click(guard(lambda _: self.export()))
        worksheet = widgets.Button(description="Worksheet (PDF)", tooltip="Download a printable worksheet of this "
                                   "state for students to write on, and its answer key as a file of its own")
        worksheet.add_class("bn-button-worksheet")
        worksheet.on_click(guard(lambda _: self.worksheet()))
        # a class set: one page per version, the state itself first, then its network on other inputs
        self.versions = widgets.BoundedIntText(
            value=1, min=1, max=MAX_VERSIONS, description="Versions", layout=widgets.Layout(width="160px"),
            tooltip=f"Pages of the worksheet, each with other inputs: 1 to {MAX_VERSIONS}, one per student")
        self.versions.add_class("bn-worksheet-versions")
        self.versions.observe(lambda _: setattr(self.downloads, "value", ""), "value")  # no stale worksheet
        self.downloads = html_widget("", "bn-downloads")
        # ipywidgets writes the count of files after the description; style.css shows the words alone
        self.upload = widgets.FileUpload(accept=".json,application/json", multiple=False, icon="",
                                         description="Open a state (JSON)", layout=widgets.Layout(width="220px"),
                                         tooltip="Open a state saved with Export… → state (JSON)")
        self.upload.add_class("bn-upload")
        self.upload.observe(guard(self._uploaded), "value")
        self.widget = widgets.VBox([
            html_widget("<div class='bn-panel-title'>Share</div>"), self.link, self.link_in_lab,
            widgets.HBox([export, worksheet, self.versions, self.upload], layout=widgets.Layout(flex_flow="row wrap")),
            self.downloads,
        ])
        self.widget.add_class("bn-share")

    def show(self, state: State, theme: str) -> None:
        """Follow a new state: a fresh link, and no stale downloads."""
        self._show_link(state, theme)
        self.downloads.value = ""

    def follow(self) -> None:
        """Follow a change of another part of the page (``page_parts``): its link, for the same state."""
        self._show_link(self.app.state, self.app.theme)

    def _show_link(self, state: State, theme: str) -> None:
        parts = [state.to_query(), *(part() for part in self.page_parts),
                 "theme=dark" if theme == "dark" else ""]
        query = "&".join(part for part in parts if part)
        # bn-address: the page script keeps the page's own address equal to this link
        # In JupyterLab an address names the notebook's editor, not a state: there (style.css) the
        # link gives way to what works instead.
        self.link.value = (f"<span class='bn-link-web'><a class='bn-address' href='?{html.escape(query)}' "
                           "target='_blank'>Link to this state</a>: opens this page with exactly these "
                           "numbers.</span>")

    def worksheet(self) -> None:
        """The printable worksheet of the state, in the page's notation: the students' sheet downloaded at
        once, its answer key offered beside it, a file of its own so that it is never printed with the sheet."""
        state, convention, versions = self.app.state, self.app.model.notation, self.versions.value
        # an exercise being made: its blanks are the sheet's only empty cells
        blanks = self.app.author.cells() or None
        # bn-download-now: the page script clicks it once, so one click of the button downloads the sheet
        self.downloads.value = "Download: " + " · ".join(worksheet_links(state, convention, versions, now=True,
                                                                         blanks=blanks))
        what = ["PDF", *([f"{versions} versions"] if versions > 1 else []),
                *([f"{len(blanks)} blank cell{'s' * (len(blanks) != 1)}, the exercise's"] if blanks else [])]
        self.say(f"The students' worksheet ({', '.join(what)}) is downloading; its answer key "
                 "is the second download below.")

    def export(self) -> None:
        state, convention = self.app.state, self.app.model.notation
        images = self.app.views.pngs()
        background = THEMES[self.app.theme]["background"]
        # PyTorch's nn.Linear keeps the bias apart: the augmented page gets PyTorch's own rows
        torch_convention = "rows" if NOTATIONS[convention].augmented else convention
        links = [
            download_link("state (JSON)", "batchnet-state.json", "application/json",
                          json.dumps(state.to_dict(), indent=1).encode()),
            download_link("all matrices (CSV)", "batchnet-matrices.csv", "text/csv", state_to_csv(state).encode()),
            download_link("numpy script (.py)", "batchnet.py", "text/x-python",
                          state.to_code(convention=convention).encode()),
            download_link("PyTorch script (.py)", "batchnet_torch.py", "text/x-python",
                          state.to_code(convention=torch_convention, framework="torch").encode()),
            *worksheet_links(state, convention),
            download_link("heat maps (PNG)", "batchnet-heatmaps.png", "image/png",
                          worksheet_png(images, {key: panel.place for key, panel in self.app.views.layout.items()},
                                        background)),
        ]
        self.downloads.value = "Download: " + " · ".join(links)
        self.say("Downloads ready below the Share heading.")

    def _uploaded(self, change: dict) -> None:
        files = change["new"]
        if not files:
            return
        upload = files[0]
        try:
            state = read_state_file(upload["name"], upload["content"])
        except ValueError as error:
            self.say(f"{error}. The current state is kept.", error=True)
        else:
            self.app.load(state, f"Opened {upload['name']}.")
        finally:
            self.upload.value = ()  # so the same file can be opened again
