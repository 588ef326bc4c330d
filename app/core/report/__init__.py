"""The reliability report: one self-contained HTML page for a methods section."""
