"""The package's version, kept apart so any stage can name it without importing the root."""

__version__ = "0.1.0"
