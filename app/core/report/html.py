"""Small HTML pieces for the report: every project text escaped and given its direction.

The browser lays out right-to-left text itself when told the direction: a paragraph of Arabic
gets `dir="rtl"`, a name inside an English sentence is isolated in `<bdi>` so its direction cannot
reorder the sentence around it, and a table cell of project text gets `dir="auto"` (the first
strong letter decides). Text is never reshaped or reordered here: the page holds the logical text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from app.core.text import RTL, base_direction


def esc(text: object) -> str:
    return escape(str(text), quote=True)


def inline(text: str) -> str:
    """Project text (a name, a title, a type) inside a sentence of the report."""
    return f"<bdi>{esc(text)}</bdi>"


def block(tag: str, text: str, cls: str = "") -> str:
    """A paragraph or heading of project text, in its own direction."""
    direction = "rtl" if text.strip() and base_direction(text) == RTL else "auto"
    attrs = f' dir="{direction}"' + (f' class="{cls}"' if cls else "")
    return f"<{tag}{attrs}>{esc(text)}</{tag}>"


def number(value: float | None, digits: int = 3) -> str:
    """A statistic as a methods section writes it (n/a when undefined)."""
    if value is None:
        return "n/a"
    return f"{value:.{digits}f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], numeric: Sequence[int] = (),
          caption: str = "") -> str:
    """A table; cells in `numeric` columns are right-aligned and shown as given (already formatted),
    every other cell is project text with `dir="auto"`."""
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if i in numeric:
                cells.append(f'<td class="num">{esc(cell)}</td>')
            else:
                cells.append(f'<td dir="auto">{esc(cell)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


STYLE = """
body { font-family: "Noto Sans", "Noto Naskh Arabic", "Noto Sans Arabic", "Noto Sans Devanagari", sans-serif;
       max-width: 60rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
h3 { font-size: 1.05rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.92rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; vertical-align: top; }
th { background: #f2f2f2; text-align: start; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
caption { text-align: start; font-weight: bold; padding: 0.3rem 0; }
.methods { background: #f7f7f2; border-left: 4px solid #999; padding: 0.6rem 1rem; }
.todo { color: #8a4b00; }
figure { margin: 1rem 0 2rem; } figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.9rem; color: #444; }
.meta { color: #555; font-size: 0.9rem; }
dl.codebook dt { font-weight: bold; margin-top: 0.4rem; } dl.codebook dd { margin: 0 0 0 1.5rem; }
"""
