"""Widgets and heat maps for batchnet (ipywidgets + matplotlib); only notebooks import this."""

from .app import BatchApp
from .kernel import keep_comm_errors_on_the_server, keep_widget_errors_on_the_server

keep_comm_errors_on_the_server()
keep_widget_errors_on_the_server()

__all__ = ["BatchApp"]
