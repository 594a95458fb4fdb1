"""The version of alloc, in one place (pyproject.toml reads it from here)."""

__all__ = ["DISTRIBUTION", "__version__"]

__version__ = "0.1.0"

#: The name alloc is installed by (``pip install alloc-draw``); it is imported as ``alloc``.
DISTRIBUTION = "alloc-draw"
