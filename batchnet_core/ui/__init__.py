"""Widgets and heat maps for batchnet (ipywidgets + matplotlib); only notebooks import this."""

from .app import BatchApp

__all__ = ["BatchApp"]
