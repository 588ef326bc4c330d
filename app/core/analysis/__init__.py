"""Counts a researcher publishes: the numbers behind the standard figures (Qt-free, no matplotlib)."""
