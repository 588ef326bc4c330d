"""The analysis-ready Excel export: contents equal the database, text stays text, files stay whole."""

from __future__ import annotations

import json
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select

import app
from app.core.codebook import AttributeSpec, apply_codebook, read_codebook
from app.core.errors import AnnotaryError
from app.core.export import xlsx as xlsx_module
from app.core.export.cells import (
    EXCEL_CELL_LIMIT,
    REPLACEMENT,
    replace_illegal,
    split_to_limit,
    utf16_len,
)
from app.core.export.xlsx import SHEETS, _code_value, export_xlsx
from app.core.models import (
    Attribute,
    Coder,
    Document,
    DocumentCode,
    DocumentCodeValue,
    EntityType,
    Event,
    EventArgument,
    EventAttributeValue,
    EventRole,
    EventType,
    Mention,
    MentionAttributeValue,
)
from app.core.services import annotations as ann
from app.core.services.coders import get_or_create_coder
from app.core.services.documents import add_document
from app.core.text import is_rtl_text

pytestmark = pytest.mark.both_backends  # the project fixtures run on SQLite and on PostgreSQL

# Helpers ------------------------------------------------------------------------------------


def _ids(session):
    return {
        "entity": {t.name: t.id for t in session.scalars(select(EntityType))},
        "event": {t.name: t.id for t in session.scalars(select(EventType))},
        "role": {(r.event_type_id, r.name): r.id for r in session.scalars(select(EventRole))},
        "attr": {(a.target, a.name): a.id for a in session.scalars(select(Attribute))},
        "code": {c.name: c.id for c in session.scalars(select(DocumentCode))},
    }


def _mention(session, doc_id, coder_id, type_id, needle, note="", occurrence=0):
    text = session.get(Document, doc_id).text
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return ann.create_mention(session, doc_id, coder_id, type_id, start, start + len(needle), note)


def annotate(project) -> dict[str, int]:
    """Annotations by alice and bob on the seed articles (en 1, ar 2/4/5, hi 3), plus a
    mention attribute added to the codebook."""
    with project.uow() as s:
        spec = read_codebook(s)
        spec.attributes.append(AttributeSpec("Negated?", target="mention", definition="the mention is negated"))
        apply_codebook(s, spec)
    with project.uow() as s:
        ids = _ids(s)
        ent, ev = ids["entity"], ids["event"]
        alice = get_or_create_coder(s, "alice").id
        bob = get_or_create_coder(s, "bob").id
        layoff = ev["Layoff"]
        reassign = ev["Reassignment"]

        m_meta = _mention(s, 1, alice, ent["Organization"], "Meta", note="the company")
        m_7000 = _mention(s, 1, alice, ent["Quantity"], "7,000 employees")
        _mention(s, 1, bob, ent["Organization"], "Meta")
        m_scale = _mention(s, 4, alice, ent["Organization"], "شركة Scale AI")
        m_700 = _mention(s, 4, alice, ent["Quantity"], "700 وظيفة")
        _mention(s, 3, alice, ent["Person"], "Zuckerberg")
        m_hi = _mention(s, 3, bob, ent["Location"], "नई दिल्ली")
        _mention(s, 2, bob, ent["Organization"], "ميتا")
        ann.set_mention_attribute(s, m_scale.id, ids["attr"]["mention", "Negated?"], "true")

        e1 = ann.create_event(s, 1, alice, reassign, trigger=(m_7000.start - 9, m_7000.start - 1))
        ann.add_argument(s, e1.id, ids["role"][reassign, "Actor"], m_meta.id)
        ann.add_argument(s, e1.id, ids["role"][reassign, "Count"], m_7000.id)
        ann.set_event_attribute(s, e1.id, ids["attr"]["event", "Modality"], "reported")
        e2 = ann.create_event(s, 4, alice, layoff, trigger=(m_700.start - 6, m_700.start - 1))
        ann.add_argument(s, e2.id, ids["role"][layoff, "Actor"], m_scale.id)
        ann.add_argument(s, e2.id, ids["role"][layoff, "Affected"], m_700.id)
        ann.set_event_attribute(s, e2.id, ids["attr"]["event", "Modality"], "asserted")
        e3 = ann.create_event(s, 3, bob, layoff)  # no trigger, no modality
        ann.add_argument(s, e3.id, ids["role"][layoff, "Location"], m_hi.id)

        ann.set_document_code(s, 1, alice, ids["code"]["primary_topic"], "reassignment")
        ann.set_document_code(s, 1, alice, ids["code"]["tone"], "neutral")
        ann.set_document_code(s, 4, bob, ids["code"]["primary_topic"], "layoffs")
        ann.set_status(s, 1, alice, "done")
        return {"alice": alice, "bob": bob}


def sheet_dicts(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, row)) for row in rows[1:]]


def about(wb) -> dict[str, list]:
    out: dict[str, list] = {}
    for key, value in wb["About"].iter_rows(min_row=2, values_only=True):
        out.setdefault(key, []).append(value)
    return out


def same_time(a: datetime, b: datetime) -> bool:
    return abs(a - b) < timedelta(milliseconds=1)  # Excel keeps milliseconds


@pytest.fixture
def annotated(seeded_project):
    coders = annotate(seeded_project)
    return seeded_project, coders


# Contents -----------------------------------------------------------------------------------


def test_every_sheet_equals_the_database(annotated, tmp_path):
    project, _ = annotated
    out = tmp_path / "all.xlsx"
    report = export_xlsx(project, out)
    wb = load_workbook(out)
    agreement = ["Agreement", "Disagreements"]  # the fixture has two coders
    assert wb.sheetnames == list(SHEETS[:6]) + agreement + list(SHEETS[6:])

    with project.read() as s:
        coders = {c.id: c.name for c in s.scalars(select(Coder))}
        etypes = {t.id: t.name for t in s.scalars(select(EntityType))}
        evtypes = {t.id: t.name for t in s.scalars(select(EventType))}
        roles = {r.id: r.name for r in s.scalars(select(EventRole))}
        docs = {d.id: d for d in s.scalars(select(Document))}
        mentions = {m.id: m for m in s.scalars(select(Mention))}
        events = list(s.scalars(select(Event)))
        modality = {v.event_id: v.value for v in s.scalars(select(EventAttributeValue))}
        negated = {v.mention_id: v.value for v in s.scalars(select(MentionAttributeValue))}
        arguments = list(s.scalars(select(EventArgument)))
        codes = {c.id: c.name for c in s.scalars(select(DocumentCode))}
        code_values = list(s.scalars(select(DocumentCodeValue)))

        documents = sheet_dicts(wb["Documents"])
        assert [r["document_id"] for r in documents] == sorted(docs)
        for row in documents:
            d = docs[row["document_id"]]
            assert (row["title"], row["language"], row["direction"], row["filename"], row["chars"],
                    row["sha256"], row["text_parts"], row["text"]) == (
                d.title, d.language, d.direction, d.filename, d.chars, d.sha256, 1, d.text)
        status = {r["document_id"]: r["status"] for r in documents}
        assert status[1] == "alice: done; bob: in_progress"  # annotating set in_progress, set_status done
        assert status[2] == "bob: in_progress"
        assert status[3] == "alice: in_progress; bob: in_progress"
        assert status[4] == "alice: in_progress; bob: in_progress"
        assert status[5] == "not_started"

        rows = sheet_dicts(wb["Mentions"])
        assert sorted(r["mention_id"] for r in rows) == sorted(mentions)
        for r in rows:
            m = mentions[r["mention_id"]]
            assert (r["document_id"], r["document_title"], r["coder"], r["type"], r["start"], r["end"],
                    r["text"], r["note"] or "", r["negated"]) == (
                m.document_id, docs[m.document_id].title, coders[m.coder_id], etypes[m.entity_type_id],
                m.start, m.end, m.text, m.note, negated.get(m.id))
            assert isinstance(r["start"], int) and isinstance(r["mention_id"], int)
            assert same_time(r["created"], m.created_at)
            # stored offsets: the exported text is the document's slice
            assert r["text"] == docs[r["document_id"]].text[r["start"]:r["end"]]
        assert [(r["document_id"], r["start"]) for r in rows] == sorted((r["document_id"], r["start"]) for r in rows)

        rows = sheet_dicts(wb["Events"])
        assert list(rows[0]) == ["event_id", "document_id", "coder", "type", "trigger_start", "trigger_end",
                                 "trigger_text", "modality", "created", "note", "notes", "external_refs"]
        assert sorted(r["event_id"] for r in rows) == sorted(e.id for e in events)
        by_id = {e.id: e for e in events}
        for r in rows:
            e = by_id[r["event_id"]]
            assert (r["document_id"], r["coder"], r["type"], r["trigger_start"], r["trigger_end"],
                    r["trigger_text"], r["modality"]) == (
                e.document_id, coders[e.coder_id], evtypes[e.event_type_id], e.trigger_start, e.trigger_end,
                e.trigger_text, modality.get(e.id))
            if e.trigger_start is not None:
                assert r["trigger_text"] == docs[e.document_id].text[e.trigger_start:e.trigger_end]

        rows = sheet_dicts(wb["Event arguments"])
        assert list(rows[0]) == ["event_id", "role", "mention_id", "text", "mention_type", "argument_event_id"]
        assert sorted((r["event_id"], r["role"], r["mention_id"], r["text"], r["mention_type"]) for r in rows) == \
            sorted((a.event_id, roles[a.role_id], a.mention_id, mentions[a.mention_id].text,
                    etypes[mentions[a.mention_id].entity_type_id]) for a in arguments)

        rows = sheet_dicts(wb["Document codes"])
        assert sorted((r["document_id"], r["coder"], r["code"], r["value"]) for r in rows) == \
            sorted((v.document_id, coders[v.coder_id], codes[v.code_id], v.value) for v in code_values)

        book = sheet_dicts(wb["Codebook"])
        spec = read_codebook(s)
    kinds = {}
    for r in book:
        kinds.setdefault(r["kind"], []).append(r["name"])
    assert kinds["entity_type"] == [t.name for t in spec.entity_types]
    assert kinds["event_type"] == [t.name for t in spec.event_types]
    assert len(kinds["role"]) == sum(len(t.roles) for t in spec.event_types)
    assert kinds["attribute"] == ["Modality", "Negated?"]
    assert kinds["document_code"] == ["primary_topic", "tone"]
    count_role = next(r for r in book if r["kind"] == "role" and r["parent"] == "Layoff" and r["name"] == "Count")
    assert (count_role["accepts"], count_role["repeatable"]) == ("Quantity", False)
    modality_row = next(r for r in book if r["name"] == "Modality")
    assert modality_row["column"] == "modality"
    assert modality_row["values"] == "asserted; reported; planned; denied; reversed"
    assert next(r for r in book if r["name"] == "Negated?")["column"] == "negated"
    assert next(r for r in book if r["name"] == "tone")["level"] == "ordinal"
    assert all(r["definition"] for r in book if r["kind"] != "role")

    info = about(wb)
    assert info["annotary_version"] == [app.__version__]
    assert info["project_file"] == [project.address]
    assert info["coder_filter"] == ["all coders"]
    stamp = info["exported_at"][0]
    assert stamp.endswith("Z") and datetime.fromisoformat(stamp[:-1]) == report.exported_at
    assert info["rows_mentions"] == [len(mentions)]
    assert info["rows_event_arguments"] == [len(arguments)]
    assert info["alterations"] == [0] and "altered" not in info

    assert report.path == out and report.altered == []
    for title, n in report.rows.items():
        assert wb[title].max_row == n + 1
    assert report.rows["Mentions"] == len(mentions) == 8
    assert report.rows["Events"] == 3 and report.rows["Document codes"] == 3


def test_formula_like_text_is_stored_as_text(empty_project, tmp_path):
    text = "=1+1 is not a formula\n+49 -x @SUM(A1) #N/A =HYPERLINK(\"http://example.com\")\n"
    with empty_project.uow() as s:
        doc, _ = add_document(s, text, "=cmd.txt")
        alice = get_or_create_coder(s, "=alice").id
        org = _ids(s)["entity"]["Organization"]
        for needle in ("=1+1", "+49", "-x", "@SUM(A1)", "#N/A", '=HYPERLINK("http://example.com")'):
            _mention(s, doc.id, alice, org, needle, note=needle)
    out = tmp_path / "f.xlsx"
    export_xlsx(empty_project, out)

    wb = load_workbook(out)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type not in ("f", "e"), (ws.title, cell.coordinate, cell.value)
    mentions = sheet_dicts(wb["Mentions"])
    assert [m["text"] for m in mentions] == ["=1+1", "+49", "-x", "@SUM(A1)", "#N/A",
                                             '=HYPERLINK("http://example.com")']
    assert [m["note"] for m in mentions] == [m["text"] for m in mentions]
    assert {m["coder"] for m in mentions} == {"=alice"}
    assert all(wb["Mentions"].cell(row=r, column=8).quotePrefix for r in range(2, 8))
    doc_row = sheet_dicts(wb["Documents"])[0]
    assert (doc_row["title"], doc_row["filename"], doc_row["text"]) == ("=1+1 is not a formula", "=cmd.txt", text)
    with zipfile.ZipFile(out) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in z.read(name) and b"<f " not in z.read(name)


def test_characters_xml_cannot_hold_are_replaced_and_listed(empty_project, tmp_path, project_backend):
    text = "Bell\x07 and form\x0cfeed in a title\nnul\x00 here, \ufffe and \uffff, unit\x1fsep.\n"
    if project_backend == "postgresql":  # PostgreSQL stores no NUL: the document is refused, clearly
        from app.core.errors import ImportRejected

        with pytest.raises(ImportRejected, match="NUL characters"), empty_project.uow() as s:
            add_document(s, text, "ctrl\x01.txt")
        return
    with empty_project.uow() as s:
        doc, _ = add_document(s, text, "ctrl\x01.txt")
        alice = get_or_create_coder(s, "alice").id
        org = _ids(s)["entity"]["Organization"]
        _mention(s, doc.id, alice, org, "nul\x00 here", note="tab\tok, vt\x0b not")
        _mention(s, doc.id, alice, org, "unit")
    out = tmp_path / "c.xlsx"
    report = export_xlsx(empty_project, out)

    wb = load_workbook(out)  # a readable file
    clean = text
    for ch in "\x07\x0c\x00\ufffe\uffff\x1f":
        clean = clean.replace(ch, REPLACEMENT)
    d = sheet_dicts(wb["Documents"])[0]
    assert d["text"] == clean
    assert d["title"] == "Bell\ufffd and form\ufffdfeed in a title"
    assert d["filename"] == "ctrl\ufffd.txt"
    assert d["text"].replace(REPLACEMENT, "") == "".join(c for c in text if c not in "\x07\x0c\x00\ufffe\uffff\x1f")
    m = sheet_dicts(wb["Mentions"])
    assert m[0]["text"] == "nul\ufffd here" and m[0]["note"] == "tab\tok, vt\ufffd not"
    assert m[1]["text"] == "unit"

    notes = about(wb)["altered"]
    assert notes == report.altered
    assert about(wb)["alterations"] == [len(notes)]
    joined = "\n".join(notes)
    assert "Documents row 2 (document_id 1), title: 2 character(s)" in joined
    assert "Documents row 2 (document_id 1), filename: 1 character(s)" in joined
    assert "Documents row 2 (document_id 1), text: 6 character(s)" in joined
    assert "Mentions row 2 (mention_id 1), text: 1 character(s)" in joined
    assert "Mentions row 2 (mention_id 1), note: 1 character(s)" in joined
    assert "document_title" in joined  # the title repeated on the Mentions sheet
    assert not any("Mentions row 3" in n and "text" in n.split(":")[0] for n in notes)


def test_long_document_text_is_split_and_reassembles_exactly(empty_project, tmp_path):
    # Emoji count two UTF-16 units in Excel: 100,000 code points are about 106,000 units.
    unit = "كلمة word 😀 शब्द "
    text = "Long article\n" + unit * (100_000 // len(unit))
    long_mention = (13, 13 + 40_000)
    with empty_project.uow() as s:
        long_doc, _ = add_document(s, text, "long.txt")
        short_doc, _ = add_document(s, "A short English text about the layoffs.", "short.txt")
        alice = get_or_create_coder(s, "alice").id
        ann.create_mention(s, long_doc.id, alice, _ids(s)["entity"]["Organization"], *long_mention)
    out = tmp_path / "long.xlsx"
    report = export_xlsx(empty_project, out)

    wb = load_workbook(out)
    header = [c.value for c in wb["Documents"][1]]
    expected_parts = len(split_to_limit(text))
    assert expected_parts == -(-utf16_len(text) // EXCEL_CELL_LIMIT) == 4
    assert header[-5:] == ["text_parts", "text", "text_2", "text_3", "text_4"]
    rows = {r["document_id"]: r for r in sheet_dicts(wb["Documents"])}
    row = rows[long_doc.id]
    parts = [row["text"]] + [row[f"text_{k}"] for k in range(2, 5)]
    assert row["text_parts"] == 4
    assert "".join(parts) == text
    assert all(0 < utf16_len(p) <= EXCEL_CELL_LIMIT for p in parts)
    assert all(p.endswith(" ") for p in parts[:-1])  # cut at a word boundary
    short = rows[short_doc.id]
    assert (short["text_parts"], short["text"], short["text_2"]) == (1, "A short English text about the layoffs.", None)

    mention = sheet_dicts(wb["Mentions"])[0]
    full = text[long_mention[0]:long_mention[1]]
    assert utf16_len(mention["text"]) <= EXCEL_CELL_LIMIT and full.startswith(mention["text"])
    assert len(mention["text"]) > 20_000
    notes = "\n".join(report.altered)
    assert f"Documents row 2 (document_id {long_doc.id}), text: split into 4 cells (text, text_2, text_3, text_4)" in notes
    assert "Mentions row 2 (mention_id 1), text: cut from" in notes
    assert about(wb)["altered"] == report.altered


def test_right_to_left_cells_and_left_to_right_sheets(annotated, tmp_path):
    project, _ = annotated
    out = tmp_path / "rtl.xlsx"
    export_xlsx(project, out)
    wb = load_workbook(out)
    ws = wb["Mentions"]
    header = [c.value for c in ws[1]]
    col_text = header.index("text") + 1
    rtl, ltr = set(), set()
    for r in range(2, ws.max_row + 1):
        cell = ws.cell(row=r, column=col_text)
        if cell.alignment.readingOrder == 2:
            assert cell.alignment.horizontal == "right"
            rtl.add(cell.value)
        else:
            assert cell.alignment.readingOrder in (0, None) and cell.alignment.horizontal is None
            ltr.add(cell.value)
    assert rtl == {"700 وظيفة", "ميتا"}
    # Latin letters outnumber Arabic ones in "شركة Scale AI"; Devanagari is left-to-right
    assert ltr == {"Meta", "7,000 employees", "شركة Scale AI", "Zuckerberg", "नई दिल्ली"}
    assert all(is_rtl_text(t) for t in rtl) and not any(is_rtl_text(t) for t in ltr)

    docs = wb["Documents"]
    text_col = [c.value for c in docs[1]].index("text") + 1
    orders = {docs.cell(row=r, column=1).value: docs.cell(row=r, column=text_col).alignment.readingOrder
              for r in range(2, docs.max_row + 1)}
    assert orders[4] == 2 and orders[5] == 2  # Arabic articles
    assert orders[1] != 2 and orders[3] != 2  # English, Hindi
    assert docs.cell(row=2, column=1).alignment.readingOrder != 2  # numbers untouched
    for sheet in wb.worksheets:
        assert not sheet.sheet_view.rightToLeft


def test_header_bold_frozen_filtered_with_widths(annotated, tmp_path):
    project, _ = annotated
    out = tmp_path / "h.xlsx"
    export_xlsx(project, out)
    wb = load_workbook(out)
    for ws in wb.worksheets:
        if ws.title == "Summary":  # blocks of figures' numbers with charts: tests/test_export_summary.py
            continue
        last = get_column_letter(ws.max_column)
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref == f"A1:{last}{ws.max_row}", ws.title
        header = list(ws[1])
        assert all(c.font.b for c in header) and all(c.data_type == "s" for c in header)
        if ws.max_row > 1:
            assert not any(c.font.b for c in ws[2])
        widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, ws.max_column + 1)]
        assert all(w and w >= 8 for w in widths), (ws.title, widths)
        assert header[0].value == {"Documents": "document_id", "Mentions": "mention_id", "Events": "event_id",
                                   "Event arguments": "event_id", "Document codes": "document_id",
                                   "Relations": "relation_id",
                                   "Codebook": "kind", "About": "key", "Agreement": "kind",
                                   "Disagreements": "kind"}[ws.title]
    assert wb["Documents"].column_dimensions["J"].width > wb["Documents"].column_dimensions["A"].width


def test_coder_filter(annotated, tmp_path):
    project, coders = annotated
    out = tmp_path / "alice.xlsx"
    report = export_xlsx(project, out, coder="alice")
    wb = load_workbook(out)
    with project.read() as s:
        alice = coders["alice"]
        n_mentions = len(s.scalars(select(Mention).where(Mention.coder_id == alice)).all())
        event_ids = set(s.scalars(select(Event.id).where(Event.coder_id == alice)))
        n_args = len(s.scalars(select(EventArgument).where(EventArgument.event_id.in_(event_ids))).all())
    mentions = sheet_dicts(wb["Mentions"])
    assert len(mentions) == n_mentions == 5 and {m["coder"] for m in mentions} == {"alice"}
    events = sheet_dicts(wb["Events"])
    assert {e["event_id"] for e in events} == event_ids and {e["coder"] for e in events} == {"alice"}
    arguments = sheet_dicts(wb["Event arguments"])
    assert len(arguments) == n_args == 4 and {a["event_id"] for a in arguments} == event_ids
    codes = sheet_dicts(wb["Document codes"])
    assert sorted((c["document_id"], c["code"], c["value"]) for c in codes) == [
        (1, "primary_topic", "reassignment"), (1, "tone", "neutral")]
    assert {c["coder"] for c in codes} == {"alice"}
    status = {d["document_id"]: d["status"] for d in sheet_dicts(wb["Documents"])}
    assert status == {1: "done", 2: "not_started", 3: "in_progress", 4: "in_progress", 5: "not_started"}
    info = about(wb)
    assert info["coder_filter"] == ["alice"] and info["rows_mentions"] == [5]
    assert report.coder == "alice" and report.rows["Mentions"] == 5

    report = export_xlsx(project, tmp_path / "bob.xlsx", coder=" bob ")
    wb = load_workbook(report.path)
    bob = sheet_dicts(wb["Mentions"])
    assert {m["coder"] for m in bob} == {"bob"} and len(bob) == 3
    assert report.coder == "bob" and about(wb)["coder_filter"] == ["bob"]


def test_unknown_coder_is_refused_before_writing(annotated, tmp_path):
    project, _ = annotated
    out = tmp_path / "x.xlsx"
    with pytest.raises(AnnotaryError, match="no coder named 'carol'"):
        export_xlsx(project, out, coder="carol")
    assert list(tmp_path.glob("*.xlsx*")) == [] and not list(tmp_path.glob(".x.xlsx*"))


def test_bad_target_is_a_clear_error(annotated, tmp_path):
    project, _ = annotated
    with pytest.raises(AnnotaryError, match="does not exist"):
        export_xlsx(project, tmp_path / "missing" / "x.xlsx")
    with pytest.raises(AnnotaryError, match="is a folder"):
        export_xlsx(project, tmp_path)


def _openpyxl_temp_files() -> set[str]:
    from openpyxl.worksheet._writer import ALL_TEMP_FILES

    return set(ALL_TEMP_FILES)


@pytest.mark.parametrize("cancel_after", [0, 3])
def test_cancelled_export_leaves_the_old_file_untouched(annotated, tmp_path, cancel_after):
    project, _ = annotated
    out = tmp_path / "out.xlsx"
    export_xlsx(project, out)
    before = out.read_bytes()
    calls = []

    def cancel() -> bool:
        calls.append(1)
        return len(calls) > cancel_after

    temp_before = _openpyxl_temp_files()
    with pytest.raises(AnnotaryError, match=r"^export cancelled$"):
        export_xlsx(project, out, cancel=cancel, force=True)
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir() if "xlsx" in p.name] == ["out.xlsx"]
    assert not [f for f in _openpyxl_temp_files() - temp_before if Path(f).exists()]


def test_cancelled_export_creates_no_file(annotated, tmp_path):
    project, _ = annotated
    with pytest.raises(AnnotaryError, match="export cancelled"):
        export_xlsx(project, tmp_path / "new.xlsx", cancel=lambda: True)
    assert not [p for p in tmp_path.iterdir() if "xlsx" in p.name]


def test_failure_midway_leaves_no_partial_or_temp_file(annotated, tmp_path, monkeypatch):
    project, _ = annotated
    out = tmp_path / "out.xlsx"
    out.write_bytes(b"previous workbook")

    def boom(self, *args):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(xlsx_module._Export, "events", boom)
    temp_before = _openpyxl_temp_files()
    with pytest.raises(RuntimeError, match="disk on fire"):
        export_xlsx(project, out, force=True)
    assert out.read_bytes() == b"previous workbook"
    assert not [p for p in tmp_path.iterdir() if p.name != "out.xlsx" and "xlsx" in p.name]
    assert not [f for f in _openpyxl_temp_files() - temp_before if Path(f).exists()]


def test_failure_while_saving_is_reported_and_cleaned_up(annotated, tmp_path, monkeypatch):
    project, _ = annotated
    out = tmp_path / "out.xlsx"

    def full_disk(wb, fh):
        fh.write(b"PK partial zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(xlsx_module, "_save", full_disk)
    with pytest.raises(AnnotaryError, match=r"cannot write .*out\.xlsx: No space left on device"):
        export_xlsx(project, out, force=True)
    assert not [p for p in tmp_path.iterdir() if "xlsx" in p.name]


def test_progress_is_reported_now_and_then(annotated, tmp_path):
    project, _ = annotated
    calls: list[tuple[int, int]] = []
    export_xlsx(project, tmp_path / "p.xlsx", progress=lambda done, total: calls.append((done, total)))
    totals = {t for _, t in calls}
    assert len(totals) == 1
    total = totals.pop()
    assert total == 5 + 8 + 3 + 5 + 3  # documents, mentions, events, arguments, codes
    dones = [d for d, _ in calls]
    assert dones == sorted(dones) and dones[-1] == total and 2 <= len(calls) <= 20


def test_empty_project_exports_headers_only(empty_project, tmp_path):
    report = export_xlsx(empty_project, tmp_path / "e.xlsx")
    wb = load_workbook(report.path)
    assert report.rows["Mentions"] == 0 and wb["Mentions"].max_row == 1
    assert wb["Documents"].auto_filter.ref == "A1:J1"
    assert report.rows["Codebook"] > 0


# Cell rules ---------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \nكل😀ि\u0301")), max_size=120), st.integers(4, 12))
def test_split_reassembles_and_respects_the_limit(text, limit):
    parts = split_to_limit(text, limit)
    assert "".join(parts) == text
    assert all(utf16_len(p) <= limit for p in parts)
    assert all(parts[:-1]) and (len(parts) == 1 or utf16_len(text) > limit)


def test_replace_illegal_covers_xml_and_surrogates():
    text = "a\x00b\x08c\x0bd\x0ce\x1ff\ufffeg\uffffh\ud800i\udfffj\tk\nl\rm\x7fn"
    clean, n = replace_illegal(text)
    assert n == 9
    assert clean == "a�b�c�d�e�f�g�h�i�j\tk\nl\rm\x7fn".replace("�", REPLACEMENT)


def test_interval_and_ratio_code_values_become_numbers():
    assert _code_value("3", "interval") == 3 and isinstance(_code_value("3", "interval"), int)
    assert _code_value("2.5", "ratio") == 2.5
    assert _code_value("inf", "ratio") == "inf" and _code_value("n/a", "interval") == "n/a"
    assert _code_value("3", "ordinal") == "3"
    assert json.dumps(_code_value("1e3", "ratio")) == "1000"


def test_one_shared_styled_cell_twice_in_a_row(empty_project, tmp_path):
    """Prepared cells are cached and reused: the same value twice in one row, and in
    many rows, still lands in every place it belongs."""
    with empty_project.uow() as s:
        doc, _ = add_document(s, "ميتا\nقالت ميتا إن ميتا ستوظف.\n", "m.txt")
        alice = get_or_create_coder(s, "alice").id
        org = _ids(s)["entity"]["Organization"]
        for k in range(3):
            _mention(s, doc.id, alice, org, "ميتا", note="=ميتا", occurrence=k)
    out = tmp_path / "shared.xlsx"
    export_xlsx(empty_project, out)
    ws = load_workbook(out)["Mentions"]
    header = [c.value for c in ws[1]]
    for r in range(2, 5):
        row = {h: ws.cell(row=r, column=i + 1) for i, h in enumerate(header)}
        assert (row["document_title"].value, row["text"].value, row["note"].value) == ("ميتا", "ميتا", "=ميتا")
        assert row["document_title"].alignment.readingOrder == 2 and row["text"].alignment.readingOrder == 2
        assert row["note"].quotePrefix and row["note"].data_type == "s"
        assert row["coder"].value == "alice" and row["start"].value == [0, 10, 18][r - 2]


def test_partial_word_column_is_computed_from_text_and_offsets(empty_project, tmp_path):
    """A mention starting or ending inside a word (tagged with Alt, or imported) is marked
    partial_word; the column sits after text and is not stored in the database."""
    with empty_project.uow() as s:
        first, _ = add_document(s, "Meta laid off 7,000 people.", "en.txt")
        second, _ = add_document(s, "أعلنت والدولة 14.3 مليار دولار", "ar.txt")
        alice = get_or_create_coder(s, "alice").id
        org = _ids(s)["entity"]["Organization"]
        _mention(s, first.id, alice, org, "Meta")
        _mention(s, first.id, alice, org, "Met")
        _mention(s, first.id, alice, org, "7,000 people")
        _mention(s, second.id, alice, org, "الدولة")  # the clitic و left out
        _mention(s, second.id, alice, org, "14.3 مليار دولا")
        _mention(s, second.id, alice, org, "والدولة")
    out = tmp_path / "partial.xlsx"
    export_xlsx(empty_project, out)
    wb = load_workbook(out)
    header = [c.value for c in wb["Mentions"][1]]
    assert header[:11] == ["mention_id", "document_id", "document_title", "coder", "type", "start", "end",
                           "text", "partial_word", "created", "note"]
    rows = sheet_dicts(wb["Mentions"])
    assert {r["text"]: r["partial_word"] for r in rows} == {
        "Meta": False, "Met": True, "7,000 people": False,
        "الدولة": True, "14.3 مليار دولا": True, "والدولة": False,
    }
    assert all(isinstance(r["partial_word"], bool) for r in rows)
