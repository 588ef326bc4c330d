"""The workbook's Summary sheet: the numbers of the standard figures (figure_tables), each block
with a native bar chart that references its cells."""

import zipfile

import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries
from sqlalchemy import select

from app.core.analysis.counts import figure_tables
from app.core.export import xlsx
from app.core.export.summary import (
    ERROR_MINUS,
    ERROR_PLUS,
    LABEL_HEADER,
    LABEL_JOIN,
    SUMMARY,
    chart_layout,
)
from app.core.export.xlsx import export_xlsx
from app.core.models import EntityType
from app.core.project import open_project
from team_coding import coded  # noqa: F401  (a fixture)


def blocks(ws):
    """(stem, title, columns, rows) of each block, read back from the cells alone."""
    lines = [list(r) for r in ws.iter_rows(values_only=True)]
    found, i = [], 2  # line 1: the sheet's note, line 2 empty
    while i < len(lines):
        line = lines[i]
        if all(v is None for v in line):
            i += 1
            continue
        stem, title = line[0], line[1]
        header = [v for v in lines[i + 1] if v is not None]
        columns = tuple(h for h in header if h not in (LABEL_HEADER, ERROR_MINUS, ERROR_PLUS))
        rows = []
        i += 2
        while i < len(lines) and any(v is not None for v in lines[i]):
            rows.append(tuple(lines[i][:len(columns)]))
            i += 1
        found.append((stem, title, columns, tuple(rows)))
    return found


def expected(tables):
    return [(t.stem, t.title, t.columns, tuple(tuple(r) for r in t.rows)) for t in tables]


def cells(wb, ref):
    sheet, _, rng = ref.rpartition("!")
    min_col, min_row, max_col, max_row = range_boundaries(rng.replace("$", ""))
    ws = wb[sheet.strip("'")]
    return [ws.cell(row=r, column=c).value for r in range(min_row, max_row + 1) for c in range(min_col, max_col + 1)]


def export(project_path, tmp_path, name="out.xlsx", **options):
    out = tmp_path / name
    with open_project(project_path) as project:
        export_xlsx(project, out, **options)
        tables = figure_tables(project, options.get("coder"))
    return out, tables


def test_summary_reads_back_as_the_figures_tables(coded, tmp_path):
    out, tables = export(coded, tmp_path)
    wb = load_workbook(out)
    assert wb.sheetnames.index(SUMMARY) == wb.sheetnames.index("Codebook") - 1
    got = blocks(wb[SUMMARY])
    assert got == expected(tables)
    assert [stem for stem, *_ in got] == ["mentions_by_type_and_language", "events_by_type_and_modality",
                                          "top_mention_texts", "event_roles_filled", "agreement_by_type"]
    assert all(len(rows) > 0 for *_, rows in got)  # the two coders' work shows in every figure


def test_each_block_has_a_bar_chart_of_its_own_cells(coded, tmp_path):
    out, tables = export(coded, tmp_path)
    wb = load_workbook(out)
    charts = wb[SUMMARY]._charts
    assert len(charts) == len(tables)
    for chart, table in zip(charts, tables, strict=True):
        assert chart.tagname == "barChart"
        assert chart.x_axis.delete is False and chart.y_axis.delete is False  # both axes shown
        values, labels = chart_layout(table)
        assert [table.columns[i] for i in values] == [c for c in ("count", "filled", "empty", "f1")
                                                    if c in table.columns]
        assert len(chart.series) == len(values)
        for series, column in zip(chart.series, values, strict=True):
            assert cells(wb, series.tx.strRef.f) == [table.columns[column]]
            assert cells(wb, series.val.numRef.f) == [r[column] for r in table.rows]
            assert cells(wb, series.cat.strRef.f) == [LABEL_JOIN.join(str(r[i]) for i in labels)
                                                      for r in table.rows]
    by_stem = {t.stem: c for t, c in zip(tables, charts, strict=True)}
    assert by_stem["event_roles_filled"].grouping == "stacked"  # filled + empty = the type's events
    assert by_stem["agreement_by_type"].series[0].val.numRef.f.startswith("'Summary'!$C$")  # f1
    # the agreement's 95 % interval as error bars: its reach below and above F1
    agreement = next(t for t in tables if t.stem == "agreement_by_type")
    bars = by_stem["agreement_by_type"].series[0].errBars
    assert bars.errValType == "cust" and bars.errBarType == "both"
    f1, low, high = (agreement.columns.index(c) for c in ("f1", "ci_low", "ci_high"))
    defined = [r for r in agreement.rows if r[f1] is not None]
    assert defined
    minus, plus = cells(wb, bars.minus.numRef.f), cells(wb, bars.plus.numRef.f)
    for r, below, above in zip(agreement.rows, minus, plus, strict=True):
        if r[f1] is None:
            assert below is None and above is None
        else:
            assert below == pytest.approx(r[f1] - r[low]) and above == pytest.approx(r[high] - r[f1])
    assert not any(c.series[0].errBars for s, c in by_stem.items() if s != "agreement_by_type")


def test_other_sheets_unchanged(coded, tmp_path, monkeypatch):
    out, _ = export(coded, tmp_path)
    monkeypatch.setattr(xlsx._Export, "summary", lambda self, agreement: None)
    before, _ = export(coded, tmp_path, "before.xlsx")
    with_summary, without = load_workbook(out), load_workbook(before)
    assert [n for n in with_summary.sheetnames if n != SUMMARY] == without.sheetnames
    for name in without.sheetnames:
        a = [r for r in with_summary[name].iter_rows(values_only=True) if r[0] != "exported_at"]
        b = [r for r in without[name].iter_rows(values_only=True) if r[0] != "exported_at"]
        assert a == b, name
        assert not with_summary[name]._charts


def test_coder_filter_and_no_agreement(coded, tmp_path):
    out, tables = export(coded, tmp_path, coder="alice")
    got = blocks(load_workbook(out)[SUMMARY])
    assert got == expected(tables)
    assert "agreement_by_type" not in [stem for stem, *_ in got]
    assert all("coder alice" in title for _, title, *_ in got)
    with open_project(coded) as project:
        everyone = expected(figure_tables(project))
    assert got != everyone[:4]  # alice's counts, not everyone's
    out, tables = export(coded, tmp_path, "no_agreement.xlsx", agreement=False)
    got = blocks(load_workbook(out)[SUMMARY])
    assert got == expected([t for t in tables if t.stem != "agreement_by_type"])


def test_text_stays_logical_and_never_a_formula(coded, tmp_path):
    with open_project(coded) as project, project.uow() as s:
        s.scalars(select(EntityType).where(EntityType.name == "Organization")).one().name = "=منظمة"
    out, tables = export(coded, tmp_path)
    wb = load_workbook(out)
    ws = wb[SUMMARY]
    names = [c for row in ws.iter_rows() for c in row if c.value is not None and "منظمة" in str(c.value)]
    assert names and all(c.data_type == "s" for c in names)
    assert {c.value for c in names} >= {"=منظمة", "=منظمة" + LABEL_JOIN + "ar"}  # stored order, not reshaped
    assert not any(0xFB50 <= ord(ch) <= 0xFEFF for c in names for ch in c.value)
    assert blocks(ws) == expected(tables)
    with zipfile.ZipFile(out) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


@pytest.mark.parametrize("coder", [None])
def test_empty_project_has_blocks_without_charts(empty_project, tmp_path, coder):
    out = tmp_path / "empty.xlsx"
    export_xlsx(empty_project, out, coder=coder)
    ws = load_workbook(out)[SUMMARY]
    assert blocks(ws) == expected(figure_tables(empty_project))
    assert ws._charts == []
