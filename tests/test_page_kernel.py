"""A page whose kernel dies before it answers (``batchnet_core.serving.PageRenderer``), without a server: whatever
the kernel manager says as the dead kernel is shut down, the page goes on. The same in Chromium, against the real
``make app``: ``tests/test_classroom.py``."""

from __future__ import annotations

import types

import nbformat
import pytest
from tornado import web
from voila.configuration import VoilaConfiguration
from voila.notebook_renderer import NotebookRenderer

from batchnet_core.serving import PAGE_KERNEL_STARTS, ClassroomPageHandler, PageRenderer

from conftest import run_in_a_thread


class Manager:
    """A kernel manager whose kernels are taken out of its map as they die (the restarter's callback), and whose
    shutdown of a kernel no longer there answers 404, as jupyter_server's does."""

    def __init__(self) -> None:
        self.kernels: set[str] = {"k1"}
        self.started: list[str] = []
        self.shut_down: list[str] = []

    def __contains__(self, kernel_id: str) -> bool:
        return True  # asked just before the restarter's callback takes the dead kernel out

    async def start_kernel(self, **kwargs) -> str:
        kernel_id = f"k{len(self.started) + 2}"
        self.started.append(kernel_id)
        self.kernels.add(kernel_id)
        return kernel_id

    def get_kernel(self, kernel_id: str) -> str:
        return kernel_id

    async def shutdown_kernel(self, kernel_id: str, now: bool = False) -> None:
        self.shut_down.append(kernel_id)
        raise web.HTTPError(404, f"Kernel does not exist: {kernel_id}")


def renderer_for(manager: Manager, dying: int, monkeypatch) -> PageRenderer:
    """A page's renderer whose first ``dying`` kernels die before they answer."""
    page = ClassroomPageHandler.__new__(ClassroomPageHandler)
    page.application = types.SimpleNamespace(settings={"kernel_manager": manager})
    page.kernel_asked = ((), {"kernel_name": "python3"})
    answers = iter([False] * dying + [True] * PAGE_KERNEL_STARTS)

    async def kernel_start(self, nb, kernel_id, kernel_future):
        if not next(answers):
            manager.kernels.discard(kernel_id)
            raise RuntimeError("Kernel died before replying to kernel_info")
        self.kernel_started = True
        return kernel_id

    monkeypatch.setattr(NotebookRenderer, "_jinja_kernel_start", kernel_start)
    renderer = PageRenderer(request_handler=page, voila_configuration=VoilaConfiguration())
    renderer.cwd = "."
    return renderer


def page_cells(renderer: PageRenderer, nb) -> list:
    async def cells():
        return [cell async for cell in renderer._jinja_cell_generator(nb, None)]
    return run_in_a_thread(cells())


@pytest.mark.parametrize("dying", range(PAGE_KERNEL_STARTS + 1))
def test_a_page_goes_on_whatever_the_shutdown_of_its_dead_kernel_says(monkeypatch, dying):
    manager = Manager()
    renderer = renderer_for(manager, dying, monkeypatch)
    kernel_id = run_in_a_thread(renderer._jinja_kernel_start(None, "k1", "k1"))
    assert manager.started == [f"k{n + 2}" for n in range(min(dying, PAGE_KERNEL_STARTS - 1))]
    assert manager.shut_down == [f"k{n + 1}" for n in range(dying)]
    if dying < PAGE_KERNEL_STARTS:
        assert renderer.kernel_started and kernel_id == f"k{dying + 1}"
    else:  # every kernel died: the page's cells come without outputs, and the template says so
        assert not renderer.kernel_started
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A page"), nbformat.v4.new_code_cell(
            "1 + 1", outputs=[nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=1)])])
        assert [(cell.cell_type, cell.get("outputs")) for cell in page_cells(renderer, nb)] == [
            ("markdown", None), ("code", [])]


def test_a_visitor_who_left_while_the_second_kernel_started_leaves_no_kernel_behind(monkeypatch):
    manager = Manager()
    renderer = renderer_for(manager, 1, monkeypatch)
    start_kernel = manager.start_kernel

    async def start_while_the_visitor_leaves(**kwargs):
        renderer.request_handler.page_left = True
        return await start_kernel(**kwargs)

    manager.start_kernel = start_while_the_visitor_leaves
    run_in_a_thread(renderer._jinja_kernel_start(None, "k1", "k1"))
    assert manager.shut_down == ["k1", "k2"] and not renderer.kernel_started
