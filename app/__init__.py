"""Annotary: research annotation of multilingual news."""

__version__ = "0.1.0"
