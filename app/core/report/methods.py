"""The plain-language methods paragraph of the reliability report.

It follows what the published guidelines for content analysis ask a report to state (Lombard,
Snyder-Duch & Bracken 2002; Krippendorff 2004): the size of the reliability sample and how it
relates to the whole, the number of coders and whether they worked independently, the index used
for each variable with its justification, its value with an interval, the standard the values
are judged by, and how disagreements were resolved. What the data cannot tell (how the sample was
chosen, the coders' training) is listed for the authors to add, never made up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.core.report.html import esc, inline, number

RELIABLE = 0.800
TENTATIVE = 0.667

REFERENCES = (
    "Hripcsak, G., & Rothschild, A. S. (2005). Agreement, the F-measure, and reliability in information "
    "retrieval. Journal of the American Medical Informatics Association, 12(3), 296–298.",
    "Krippendorff, K. (1995). On the reliability of unitizing continuous data. Sociological Methodology, 25, "
    "47–76.",
    "Krippendorff, K. (2004). Content analysis: An introduction to its methodology (2nd ed.). Sage.",
    "Krippendorff, K. (2004). Reliability in content analysis: Some common misconceptions and "
    "recommendations. Human Communication Research, 30(3), 411–433.",
    "Lombard, M., Snyder-Duch, J., & Bracken, C. C. (2002). Content analysis in mass communication: "
    "Assessment and reporting of intercoder reliability. Human Communication Research, 28(4), 587–604.",
)


@dataclass
class Context:
    """What the paragraph says besides the agreement report's numbers."""

    total_documents: int
    blind_coding: bool
    version: str
    gold_items: int = 0
    languages: dict[str, int] = field(default_factory=dict)  # compared documents by language


def _interval(ci: Any) -> str:
    if not ci or ci[0] is None or ci[1] is None:
        return "interval n/a"
    return f"95 % CI [{number(ci[0])}, {number(ci[1])}]"


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def judged(alpha: float | None) -> str:
    """Krippendorff's (2004) standard for a variable's α."""
    if alpha is None:
        return "undefined"
    if alpha >= RELIABLE:
        return "reliable"
    if alpha >= TENTATIVE:
        return "tentative conclusions only"
    return "not reliable"


def paragraph(report: dict[str, Any], ctx: Context) -> str:
    """The methods text as HTML (project names isolated with <bdi>)."""
    n, coders = report["documents_compared"], report["coders"]
    left_out = len(report["documents_left_out"])
    out: list[str] = []
    langs = _join([f"{count} in {esc(lang)}" for lang, count in sorted(ctx.languages.items())])
    which = ("every document the compared coders worked on" if report.get("include_unfinished")
             else "the documents every compared coder had marked done")
    out.append(f"Intercoder reliability was assessed on {n} of the project’s {ctx.total_documents} documents"
               + (f" ({langs})" if langs else "") + f": {which}"
               + (f"; {left_out} other document(s) were left out for the reasons listed below." if left_out else ".")
               + f" {len(coders)} coders ({_join([inline(c) for c in coders])}) coded them independently"
               + (", blind to each other’s work (blind coding on: each coder saw only their own annotations)."
                  if ctx.blind_coding else "."))
    codes = report["codes"]
    if codes:
        sentences = []
        groups: dict[str, list[str]] = {"reliable": [], "tentative conclusions only": [], "not reliable": [],
                                        "undefined": []}
        for name, c in codes.items():
            alpha = c.get("krippendorff_alpha")
            groups[judged(alpha)].append(inline(name))
            sentences.append(f"{inline(name)} ({esc(c['level'])}): α = {number(alpha)}, "
                             f"{_interval(c.get('krippendorff_alpha_ci95'))}, {c.get('n_units_pairable', 0)} units"
                             + (f", percent agreement {number(c.get('percent_agreement'))}"
                                if c.get("percent_agreement") is not None else ""))
        boot = next((c["bootstrap"] for c in codes.values() if c.get("bootstrap")), None)
        boot_text = (f"95 % intervals are percentile bootstrap intervals over units ({boot['n_boot']} replicates, "
                     f"seed {boot['seed']})") if boot else "intervals are not available"
        out.append(f"For the {len(codes)} document-level variable(s) we report Krippendorff’s α (Krippendorff, "
                   "2004), which corrects for the agreement expected by chance, allows any number of coders and "
                   f"missing values, and takes each variable’s level of measurement into account; {boot_text}. "
                   "Percent agreement is shown for comparison only, as it does not correct for chance (Lombard "
                   "et al., 2002). " + "; ".join(sentences) + ".")
        verdict = [f"{_join(v)} {'meet' if len(v) > 1 else 'meets'} α ≥ .800" for k, v in groups.items()
                   if k == "reliable" and v]
        verdict += [f"{_join(v)} {'reach' if len(v) > 1 else 'reaches'} α ≥ .667 and allow{'' if len(v) > 1 else 's'} "
                    "tentative conclusions only" for k, v in groups.items() if k == "tentative conclusions only" and v]
        verdict += [f"{_join(v)} {'fall' if len(v) > 1 else 'falls'} below α = .667 and should not be relied on"
                    for k, v in groups.items() if k == "not reliable" and v]
        verdict += [f"α is undefined for {_join(v)} (no variation or too few pairable values)"
                    for k, v in groups.items() if k == "undefined" and v]
        out.append("Following Krippendorff’s (2004) standard (α ≥ .800 to rely on a variable, α ≥ .667 for "
                   "tentative conclusions): " + "; ".join(verdict) + ".")
    pairs = report["mentions"]["pairs"]
    if pairs:
        f1s = "; ".join(f"{inline(p['coders'][0])} and {inline(p['coders'][1])}: exact F1 = "
                        f"{number(p['exact']['f1'])}, overlapping F1 = {number(p['overlap']['f1'])}"
                        for p in pairs)
        text = ("Agreement on the entity mentions (which stretch of text, of which type) is reported as pairwise "
                "F1, counting a mention as matched when both coders marked the same span with the same type "
                "(exact) or overlapping spans with the same type (overlapping); chance agreement is not "
                f"defined for spans, for which F1 is the accepted measure (Hripcsak & Rothschild, 2005): {f1s}.")
        unitizing = report["mentions"].get("unitizing_alpha") or {}
        if unitizing:
            shown = "; ".join(f"{inline(t)}: αu = {number(u.get('alpha'))}" for t, u in unitizing.items())
            text += (" Where the coders placed the mentions is also measured by Krippendorff’s unitizing α "
                     "(αu; Krippendorff, 1995, 2004) per entity type, over every character of the compared "
                     f"documents: {shown}.")
        out.append(text)
    events = report["events"]["pairs"]
    if events:
        out.append("Events were matched by type and trigger; pairwise event F1: " + "; ".join(
            f"{inline(p['coders'][0])} and {inline(p['coders'][1])}: {number(p.get('f1'))}" for p in events) + ".")
    if ctx.gold_items:
        out.append(f"Disagreements were settled by an adjudicator into a gold standard ({ctx.gold_items} "
                   "adjudicated annotations and codes), which the analyses use.")
    out.append(f"Coding and all computations: Annotary {esc(ctx.version)}.")
    todo = ["how the reliability sample was chosen from the whole corpus" if n < ctx.total_documents
            else "that the whole corpus served as the reliability sample",
            "the coders’ background and training, and the codebook version they used",
            "when the coding took place"]
    return ("<p>" + " ".join(out) + "</p>"
            + '<p class="todo">To add by the authors (the data cannot say): ' + "; ".join(todo) + ".</p>")
