"""`annotary report OUT.html`: one self-contained page for the methods section.

Every number comes from `agreement_report`, the same dict `annotary agreement --json` prints (it is
embedded in the page too, as JSON, so a reader can check any figure); the figures are embedded as
PNG with the numbers they show. Project text keeps its logical order, marked with its direction.
"""

from __future__ import annotations

import base64
import csv
import importlib
import json
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from app import __version__
from app.core.codebook.spec import CodebookSpec
from app.core.models import Coder, Document, DocumentCodeValue, Event, Mention
from app.core.project import Project
from app.core.report import methods
from app.core.report.html import STYLE, block, esc, inline, number, table
from app.core.services.agreement import agreement_report
from app.core.services.coders import GOLD
from app.core.services.project_settings import BLIND_CODING, get_setting
from app.core.write_target import write_text_file

Figures = Callable[[Project, Path], list[Path]]
"""Draws the standard figures of a project into a folder; returns the files written."""


def _figures_renderer() -> Figures | None:
    try:  # the figures need matplotlib: without it the report has none and says so
        render_figures = importlib.import_module("app.core.figures").render_figures
    except (ImportError, AttributeError):
        return None

    def render(project: Project, folder: Path) -> list[Path]:
        return list(render_figures(project, folder, fmt="png"))

    return render


def _context(project: Project, report: dict[str, Any]) -> tuple[methods.Context, dict[int, tuple[str, str]]]:
    from app import __version__ as version

    with project.read() as s:
        docs = {d.id: (d.title, d.language) for d in s.execute(select(Document.id, Document.title, Document.language))}
        blind = get_setting(s, BLIND_CODING) == "on"
        gold = s.scalar(select(Coder.id).where(Coder.name == GOLD))
        gold_items = 0
        if gold is not None:
            for model in (Mention, Event, DocumentCodeValue):
                gold_items += s.scalar(select(func.count()).select_from(model).where(model.coder_id == gold)) or 0
    languages: dict[str, int] = {}
    for doc_id in report.get("documents", []):
        lang = docs.get(doc_id, ("", "?"))[1]
        languages[lang] = languages.get(lang, 0) + 1
    return methods.Context(len(docs), blind, version, gold_items, languages), docs


def _codes_section(report: dict[str, Any]) -> str:
    rows = []
    for name, c in report["codes"].items():
        ci = c.get("krippendorff_alpha_ci95") or [None, None]
        kappas = "; ".join(f"{pair}: {number(k)}" for pair, k in (c.get("cohen_kappa") or {}).items())
        rows.append((name, c["level"], number(c.get("krippendorff_alpha")), f"[{number(ci[0])}, {number(ci[1])}]",
                     methods.judged(c.get("krippendorff_alpha")), number(c.get("percent_agreement")),
                     number(c.get("fleiss_kappa")), kappas or "n/a", c.get("n_units_pairable", 0),
                     c.get("n_units_left_out", 0), number(c.get("observed_disagreement")),
                     number(c.get("expected_disagreement"))))
    if not rows:
        return "<p>The codebook has no document-level variables.</p>"
    notes = sorted({str(c[k]) for c in report["codes"].values()
                    for k in ("krippendorff_alpha_note", "cohen_kappa_note", "fleiss_kappa_note",
                              "krippendorff_alpha_ci95_note") if c.get(k)})
    return table(["variable", "level", "Krippendorff’s α", "95 % CI", "judged", "percent agreement", "Fleiss’ κ",
                  "Cohen’s κ (pair)", "units", "units left out", "D_o", "D_e"], rows,
                 numeric=(2, 3, 5, 6, 8, 9, 10, 11)) + "".join(f'<p class="meta">{esc(n)}</p>' for n in notes)


def _f1(d: dict[str, Any]) -> tuple[str, str, str, str]:
    return number(d.get("f1")), number(d.get("precision")), number(d.get("recall")), \
        f"{d.get('matched', 0)} of {d.get('n_a', 0)}/{d.get('n_b', 0)}"


def _mentions_section(report: dict[str, Any]) -> str:
    pairs = report["mentions"]["pairs"]
    out = [table(["coders", "match", "F1", "precision", "recall", "matched of A/B"],
                 [(f"{p['coders'][0]} | {p['coders'][1]}", kind, *_f1(p[kind]))
                  for p in pairs for kind in ("exact", "overlap")], numeric=(2, 3, 4, 5),
                 caption="All entity types")]
    by_type = [(t, f"{p['coders'][0]} | {p['coders'][1]}", *_f1(kinds["exact"]), number(kinds["overlap"].get("f1")))
               for p in pairs for t, kinds in sorted(p["by_type"].items())]
    if by_type:
        out.append(table(["entity type", "coders", "exact F1", "precision", "recall", "matched of A/B",
                          "overlapping F1"], by_type, numeric=(2, 3, 4, 5, 6), caption="By entity type"))
    unitizing = report["mentions"].get("unitizing_alpha") or {}
    if unitizing:
        out.append(table(["entity type", "αu", "D_o", "D_e", "coders", "characters"],
                         [(t, number(u.get("alpha")), number(u.get("observed_disagreement"), 5),
                           number(u.get("expected_disagreement"), 5), u.get("n_coders"), u.get("length"))
                          for t, u in unitizing.items()], numeric=(1, 2, 3, 4, 5),
                         caption="Krippendorff’s unitizing α (αu) per entity type"))
    return "".join(out)


def _events_section(report: dict[str, Any]) -> str:
    rows = [(f"{p['coders'][0]} | {p['coders'][1]}", *_f1(p)) for p in report["events"]["pairs"]]
    out = table(["coders", "F1", "precision", "recall", "matched of A/B"], rows, numeric=(1, 2, 3, 4),
                caption="Events (matched by type and trigger)")
    rel = [(f"{p['coders'][0]} | {p['coders'][1]}", *_f1(p)) for p in report["relations"]["pairs"]]
    return out + table(["coders", "F1", "precision", "recall", "matched of A/B"], rel, numeric=(1, 2, 3, 4),
                       caption="Relations")


def _documents_section(report: dict[str, Any], docs: dict[int, tuple[str, str]]) -> str:
    compared = [(d, docs.get(d, ("?", "?"))[0], docs.get(d, ("?", "?"))[1]) for d in report.get("documents", [])]
    out = table(["document", "title", "language"], compared, numeric=(0,),
                caption=f"Documents compared ({report['documents_compared']})")
    left = [(d, docs.get(int(d), ("?", "?"))[0], why) for d, why in report["documents_left_out"].items()]
    if left:
        out += table(["document", "title", "left out because"], left, numeric=(0,),
                     caption=f"Documents left out ({len(left)})")
    return out


def _figures_section(project: Project, render: Figures | None) -> str:
    if render is None:
        return "<p>Figures need matplotlib, which is not installed.</p>"
    out = []
    with tempfile.TemporaryDirectory(prefix="annotary-report-") as tmp:
        for path in sorted(render(project, Path(tmp))):
            if path.suffix != ".png":
                continue
            data = base64.b64encode(path.read_bytes()).decode("ascii")
            rows: list[list[str]] = []
            csv_path = path.with_suffix(".csv")
            if csv_path.exists():
                with open(csv_path, encoding="utf-8", newline="") as fh:
                    rows = list(csv.reader(fh))
            numbers = table(rows[0], rows[1:]) if rows else ""
            out.append(f'<figure id="{esc(path.stem)}"><img alt="{esc(path.stem)}" '
                       f'src="data:image/png;base64,{data}"><figcaption>{esc(path.stem)}: '
                       f"<details><summary>the numbers it shows ({max(len(rows) - 1, 0)} rows)</summary>{numbers}"
                       "</details></figcaption></figure>")
    return "".join(out) or "<p>No figures: the project has no annotations yet.</p>"


def _codebook_section(spec: CodebookSpec) -> str:
    out = ['<h3>Entity types</h3><dl class="codebook">']
    for t in spec.entity_types:
        out.append(f"<dt>{inline(t.name)}</dt>" + (block("dd", t.definition) if t.definition else ""))
    out.append('</dl><h3>Event types and their roles</h3><dl class="codebook">')
    for e in spec.event_types:
        roles = "; ".join(f"{r.name}" + (f" ({', '.join(r.accepts + [x + ' events' for x in r.accepts_events])})"
                                         if r.accepts or r.accepts_events else "") for r in e.roles)
        out.append(f"<dt>{inline(e.name)}</dt>" + (block("dd", e.definition) if e.definition else "")
                   + (f"<dd>Roles: {esc(roles)}</dd>" if roles else ""))
    out.append("</dl>")
    if spec.attributes:
        out.append(table(["attribute", "of", "values", "definition"],
                         [(a.name, a.target, ", ".join(a.values), a.definition) for a in spec.attributes],
                         caption="Attributes"))
    if spec.document_codes:
        out.append(table(["document variable", "level of measurement", "values", "definition"],
                         [(c.name, c.level, ", ".join(c.values), c.definition) for c in spec.document_codes],
                         caption="Document-level variables"))
    if spec.relation_types:
        out.append(table(["relation type", "definition"], [(r.name, r.definition) for r in spec.relation_types],
                         caption="Relation types"))
    return "".join(out)


def reliability_html(project: Project, *, coders: list[str] | None = None, include_unfinished: bool = False,
                     seed: int = 0, n_boot: int = 1000, figures: bool = True,
                     report: dict[str, Any] | None = None) -> str:
    """The report page (a string of HTML). `report`: an agreement report already computed with the
    same arguments (otherwise computed here)."""
    from app.core.codebook.store import read_codebook

    if report is None:
        report = agreement_report(project, coders, include_unfinished, seed=seed, n_boot=n_boot)
    ctx, docs = _context(project, report)
    with project.read() as s:
        spec = read_codebook(s)
    name = project.file.stem if project.file is not None else project.address
    made = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    agreement = report
    parts = [
        "<!DOCTYPE html>", '<html lang="en" dir="ltr"><head><meta charset="utf-8">',
        f"<title>Intercoder reliability: {esc(name)}</title><style>{STYLE}</style></head><body>",
        f"<h1>Intercoder reliability: <bdi>{esc(name)}</bdi></h1>",
        f'<p class="meta">Made {esc(made)} by Annotary {esc(__version__)} from {esc(project.address)}.</p>',
        "<h2>Methods text</h2>", '<div class="methods">', methods.paragraph(report, ctx), "</div>",
        "<h2>Coders and documents</h2>",
        f"<p>Coders compared: {', '.join(inline(c) for c in report['coders'])}. Blind coding: "
        f"{'on' if ctx.blind_coding else 'off'}.</p>",
        _documents_section(report, docs),
        "<h2>Document-level variables</h2>", _codes_section(report),
        "<h2>Entity mentions</h2>", _mentions_section(report),
        "<h2>Events and relations</h2>", _events_section(report),
        "<h2>Figures</h2>", _figures_section(project, _figures_renderer() if figures else None)
        if figures else "<p>Figures left out (--no-figures).</p>",
        "<h2>Codebook</h2>", _codebook_section(spec),
        "<h2>References</h2><ul>" + "".join(f"<li>{esc(r)}</li>" for r in methods.REFERENCES) + "</ul>",
        '<h2>The numbers as data</h2><p class="meta">The agreement report this page shows, exactly as '
        "<code>annotary agreement --json</code> prints it:</p>",
        '<script type="application/json" id="agreement-json">'
        + json.dumps(agreement, ensure_ascii=False, sort_keys=True).replace("</", "<\\/") + "</script>",
        "</body></html>",
    ]
    return "\n".join(parts)


def write_report(project: Project, out: Path, *, force: bool = False, **kwargs: Any) -> Path:
    """Write the report to `out` (checked as every export target is; written whole or not at all)."""
    html = reliability_html(project, **kwargs)
    try:
        write_text_file(out, html, force=force, project=project.file)
    except OSError as exc:
        from app.core.errors import AnnotaryError

        raise AnnotaryError(f"cannot write {out}: {exc.strerror}") from None
    return out
