"""The analysis-ready Excel workbook: one sheet per kind of record, ids as in the database.

Rows are streamed from SQL into openpyxl's write-only mode. Everything the export
writes (openpyxl's per-sheet files and the workbook itself) goes into one private
folder beside the target (see app.core.temp_files), never the system temp folder; the
workbook is moved into place only when complete (see app.core.write_target).
"""

from __future__ import annotations

import contextlib
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO
from zipfile import ZIP_DEFLATED, ZipFile

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import ALL_TEMP_FILES, WorksheetWriter
from openpyxl.writer.excel import ExcelWriter
from sqlalchemy import Connection

import app
from app.core.errors import AnnotaryError
from app.core.export import rows as q
from app.core.export.cells import (
    EXCEL_CELL_LIMIT,
    CellMaker,
    describe_changes,
    replace_illegal,
    split_to_limit,
)
from app.core.export.summary import SUMMARY
from app.core.project import Project
from app.core.services.coders import find_coder
from app.core.spans import is_partial_word
from app.core.temp_files import make_work_folder, remove_entry, remove_stale
from app.core.write_target import check_file_target, publish

DOCUMENTS = "Documents"
MENTIONS = "Mentions"
EVENTS = "Events"
ARGUMENTS = "Event arguments"
RELATIONS = "Relations"
CODES = "Document codes"
CODEBOOK = "Codebook"
ABOUT = "About"
AGREEMENT, DISAGREEMENTS = "Agreement", "Disagreements"
SHEETS = (DOCUMENTS, MENTIONS, EVENTS, ARGUMENTS, RELATIONS, CODES, SUMMARY, CODEBOOK, ABOUT)
"""Always written; with two or more coders (and no coder filter) AGREEMENT and DISAGREEMENTS
come before CODEBOOK."""

CHUNK_ROWS = 2000
ZIP_LEVEL = 3
CHUNK_DOCUMENTS = 50
_HEADER_FONT = Font(bold=True)
OFFSETS_NOTE = (
    "start/end and trigger_start/trigger_end count Unicode code points from 0 "
    "(Python string indices); end is exclusive, so text == document text[start:end]"
)

# Column widths by kind of content (Excel's character units).
W_ID, W_NUM, W_SHORT, W_NAME, W_TEXT, W_LONG, W_DATE = 11, 9, 14, 22, 32, 80, 19


@dataclass(frozen=True)
class Column:
    header: str
    width: float


@dataclass
class ExportReport:
    path: Path
    rows: dict[str, int] = field(default_factory=dict)  # data rows per sheet (header not counted)
    altered: list[str] = field(default_factory=list)
    coder: str | None = None
    exported_at: datetime | None = None


class ExportCancelled(AnnotaryError):
    def __init__(self) -> None:
        super().__init__("export cancelled")


class _Ticker:
    """Progress reports and cancel checks, once per chunk of rows."""

    def __init__(self, total: int, progress: Callable[[int, int], None] | None,
                 cancel: Callable[[], bool] | None) -> None:
        self.done, self.total = 0, max(total, 1)
        self._progress, self._cancel = progress, cancel

    def step(self, n: int = 0) -> None:
        self.done = min(self.done + n, self.total)
        if self._cancel is not None and self._cancel():
            raise ExportCancelled()
        if self._progress is not None:
            self._progress(self.done, self.total)


class _Sheet:
    """A write-only sheet with a bold frozen header, column widths and an autofilter."""

    def __init__(self, wb: Workbook, title: str, columns: Sequence[Column], scratch: Path) -> None:
        self.title = title
        self.ws = wb.create_sheet(title)
        self.ncols = len(columns)
        self.rows = 0
        # Write-only sheets write views and column widths before the first row.
        self.ws.freeze_panes = "A2"
        for i, col in enumerate(columns, 1):
            self.ws.column_dimensions[get_column_letter(i)].width = col.width
        _attach_writer(self.ws, scratch / f"sheet{len(wb.worksheets)}.xml")
        header = []
        for col in columns:
            cell = Cell(self.ws, row=1, column=1, value=col.header)
            cell.font = _HEADER_FONT
            cell.data_type = "s"
            header.append(cell)
        self.ws.append(header)
        self.append = self.ws.append

    def finish(self, rows: int) -> None:
        self.rows = rows
        self.ws.auto_filter.ref = f"A1:{get_column_letter(self.ncols)}{rows + 1}"  # written after the rows


def _attach_writer(ws: Any, out: Path) -> None:
    """Give a new write-only sheet its writer now, with its temporary file at `out`.

    openpyxl would create the writer on the first append, with a NamedTemporaryFile in
    the system temp folder that a killed process leaves there for good. WorksheetWriter
    takes the file to use (`out`); registering it in ALL_TEMP_FILES keeps openpyxl's own
    bookkeeping (ExcelWriter removes it from there once the sheet is saved, and its
    atexit hook deletes what is left)."""
    name = str(out)
    writer = WorksheetWriter(ws, out=name)
    ALL_TEMP_FILES.append(name)
    ws._writer = writer
    writer.write_top()


class _Export:
    def __init__(self, project: Project, conn: Connection, coder_id: int | None, coder: str | None,
                 ticker: _Ticker, scratch: Path) -> None:
        self.project, self.conn, self.coder_id, self.coder = project, conn, coder_id, coder
        self.ticker = ticker
        self.scratch = scratch
        self.wb = Workbook(write_only=True)
        self.maker: CellMaker | None = None
        self.altered: list[str] = []
        self.sheets: dict[str, _Sheet] = {}

    def _maker(self) -> CellMaker:
        """The cell maker, made with the first sheet."""
        if self.maker is None:
            raise RuntimeError("no sheet made yet")
        return self.maker

    def _sheet(self, title: str, columns: Sequence[Column]) -> _Sheet:
        sheet = _Sheet(self.wb, title, columns, self.scratch)
        if self.maker is None:
            self.maker = CellMaker(sheet.ws)
        self.sheets[title] = sheet
        return sheet

    def _note_changes(self, sheet: _Sheet, row_number: int, headers: Sequence[str],
                      raw: Sequence[Any], text_idx: Iterable[int]) -> None:
        """Record what was changed in a row's text cells (only called when something was)."""
        for i in text_idx:
            value = raw[i]
            if isinstance(value, str):
                for note in describe_changes(value):
                    self.altered.append(
                        f"{sheet.title} row {row_number + 1} ({headers[0]} {raw[0]}), {headers[i]}: {note}"
                    )
        self._maker().changed = False

    def _write_rows(self, sheet: _Sheet, headers: Sequence[str], text_idx: Sequence[int],
                    chunks: Iterable[Sequence[Sequence[Any]]], counted: bool = True) -> None:
        """Rows whose columns at `text_idx` are text, everything else written as it is;
        `counted` rows are part of the progress total."""
        maker = self._maker()
        text = maker.text
        append = sheet.append
        n = 0
        for chunk in chunks:
            for raw in chunk:
                out = list(raw)
                for i in text_idx:
                    out[i] = text(out[i])
                append(out)
                n += 1
                if maker.changed:
                    self._note_changes(sheet, n, headers, raw, text_idx)
            self.ticker.step(len(chunk) if counted else 0)
        sheet.finish(n)

    # Sheets ------------------------------------------------------------------------------

    def documents(self) -> None:
        conn = self.conn
        parts_needed = 1
        for chunk in q.stream(conn, q.long_texts_query(EXCEL_CELL_LIMIT), CHUNK_DOCUMENTS):
            for _doc_id, text in chunk:
                parts_needed = max(parts_needed, len(split_to_limit(replace_illegal(text)[0])))
            self.ticker.step()
        text_headers = ["text"] + [f"text_{k}" for k in range(2, parts_needed + 1)]
        columns = [
            Column("document_id", W_ID), Column("title", 40), Column("language", W_NUM),
            Column("direction", W_NUM), Column("filename", W_NAME), Column("chars", W_NUM),
            Column("sha256", W_SHORT), Column("status", 28 if self.coder_id is None else W_SHORT),
            Column("text_parts", W_NUM),
        ] + [Column(h, W_LONG) for h in text_headers]
        headers = [c.header for c in columns]
        sheet = self._sheet(DOCUMENTS, columns)
        statuses = q.document_statuses(conn) if self.coder_id is None else {}
        maker = self._maker()
        text = maker.text
        text_idx = (1, 2, 3, 4, 6, 7)
        n = 0
        for chunk in q.stream(conn, q.documents_query(self.coder_id), CHUNK_DOCUMENTS):
            for raw in chunk:
                doc_id = raw[0]
                out = list(raw[:8])
                if self.coder_id is None:
                    out[7] = statuses.get(doc_id, q.NOT_STARTED)
                for i in text_idx:
                    out[i] = text(out[i])
                row_changed = maker.changed
                maker.changed = False
                parts = maker.long_text(raw[8])
                text_changed = maker.changed
                out.append(len(parts))
                out.extend(parts)
                sheet.append(out)
                n += 1
                if row_changed:
                    self._note_changes(sheet, n, headers, raw, text_idx)
                where = f"{DOCUMENTS} row {n + 1} (document_id {doc_id}), text"
                if text_changed:
                    replaced = replace_illegal(raw[8])[1]
                    self.altered.append(f"{where}: {replaced} character(s) XML cannot hold replaced with U+FFFD")
                maker.changed = False
                if len(parts) > 1:
                    self.altered.append(
                        f"{where}: split into {len(parts)} cells ({', '.join(text_headers[:len(parts)])}) "
                        f"at Excel's limit of {EXCEL_CELL_LIMIT} characters; join them in order to get the text"
                    )
            self.ticker.step(len(chunk))
        sheet.finish(n)

    def mentions(self, attrs: list[q.AttributeColumn]) -> None:
        columns = [
            Column("mention_id", W_ID), Column("document_id", W_ID), Column("document_title", 36),
            Column("coder", W_SHORT), Column("type", W_NAME), Column("start", W_NUM), Column("end", W_NUM),
            Column("text", W_TEXT), Column("partial_word", W_NUM + 3), Column("created", W_DATE),
            Column("note", W_TEXT), Column("notes", W_TEXT), Column("external_refs", W_TEXT),
        ] + [Column(a.column, W_SHORT) for a in attrs]
        text_idx = (2, 3, 4, 7, 10, 11, 12, *range(13, 13 + len(attrs)))
        sheet = self._sheet(MENTIONS, columns)
        titles = q.document_titles(self.conn)
        texts = q.DocumentTexts(self.conn)  # rows come in document order: one text held at a time

        def with_titles(chunks: Iterable[Sequence[Sequence[Any]]]) -> Iterable[list[tuple[Any, ...]]]:
            for chunk in chunks:
                yield [(r[0], r[1], titles[r[1]], *r[2:7], is_partial_word(texts.get(r[1]), r[4], r[5]), *r[7:])
                       for r in chunk]

        chunks = q.stream(self.conn, q.mentions_query(self.coder_id, attrs, with_title=False), CHUNK_ROWS)
        self._write_rows(sheet, [c.header for c in columns], text_idx, with_titles(chunks))

    def events(self, attrs: list[q.AttributeColumn]) -> None:
        columns = [
            Column("event_id", W_ID), Column("document_id", W_ID), Column("coder", W_SHORT),
            Column("type", W_NAME), Column("trigger_start", W_NUM + 4), Column("trigger_end", W_NUM + 3),
            Column("trigger_text", W_TEXT),
        ] + [Column(a.column, W_SHORT) for a in attrs] + [
            Column("created", W_DATE), Column("note", W_TEXT), Column("notes", W_TEXT), Column("external_refs", W_TEXT)]
        k = len(attrs)
        text_idx = (2, 3, 6, *range(7, 7 + k), 8 + k, 9 + k, 10 + k)
        sheet = self._sheet(EVENTS, columns)
        chunks = q.stream(self.conn, q.events_query(self.coder_id, attrs), CHUNK_ROWS)
        self._write_rows(sheet, [c.header for c in columns], text_idx, chunks)

    def arguments(self) -> None:
        columns = [
            Column("event_id", W_ID), Column("role", W_NAME), Column("mention_id", W_ID),
            Column("text", W_TEXT), Column("mention_type", W_NAME), Column("argument_event_id", W_ID + 8),
        ]
        sheet = self._sheet(ARGUMENTS, columns)
        chunks = q.stream(self.conn, q.arguments_query(self.coder_id), CHUNK_ROWS)
        self._write_rows(sheet, [c.header for c in columns], (1, 3, 4), chunks)

    def relations(self) -> None:
        columns = [
            Column("relation_id", W_ID + 2), Column("document_id", W_ID), Column("coder", W_SHORT),
            Column("type", W_NAME), Column("source_mention_id", W_ID + 6), Column("source_text", W_TEXT),
            Column("source_start", W_NUM + 3), Column("source_end", W_NUM + 3),
            Column("target_mention_id", W_ID + 6), Column("target_text", W_TEXT),
            Column("target_start", W_NUM + 3), Column("target_end", W_NUM + 3), Column("symmetric", W_NUM + 2),
            Column("created", W_DATE), Column("note", W_TEXT), Column("notes", W_TEXT),
        ]
        sheet = self._sheet(RELATIONS, columns)

        def flags(chunks: Iterable[Sequence[Sequence[Any]]]) -> Iterable[list[tuple[Any, ...]]]:
            for chunk in chunks:
                yield [(*row[:12], bool(row[12]), *row[13:]) for row in chunk]

        chunks = q.stream(self.conn, q.relations_query(self.coder_id), CHUNK_ROWS)
        self._write_rows(sheet, [c.header for c in columns], (2, 3, 5, 9, 14, 15), flags(chunks))

    def codes(self) -> None:
        columns = [Column("document_id", W_ID), Column("coder", W_SHORT), Column("code", W_NAME),
                   Column("value", W_NAME)]
        sheet = self._sheet(CODES, columns)

        def numbers(chunks: Iterable[Sequence[Sequence[Any]]]) -> Iterable[list[tuple[Any, ...]]]:
            for chunk in chunks:
                yield [(doc, coder, code, _code_value(value, level)) for doc, coder, code, value, level in chunk]

        chunks = q.stream(self.conn, q.codes_query(self.coder_id), CHUNK_ROWS)
        self._write_rows(sheet, [c.header for c in columns], (1, 2, 3), numbers(chunks))

    def codebook(self, mention_attrs: list[q.AttributeColumn], event_attrs: list[q.AttributeColumn]) -> None:
        widths = {"kind": W_SHORT, "id": W_NUM, "name": W_NAME, "parent": W_NAME, "column": W_SHORT,
                  "target": W_NUM, "applies_to": W_NAME, "accepts": 36, "repeatable": W_NUM + 2,
                  "level": W_NUM, "values": 40, "color": W_NUM, "hotkey": W_NUM, "definition": W_LONG}
        columns = [Column(h, widths[h]) for h in q.CODEBOOK_COLUMNS]
        headers = [c.header for c in columns]
        sheet = self._sheet(CODEBOOK, columns)
        text_idx = tuple(i for i, h in enumerate(headers) if h not in ("id", "repeatable"))
        rows = q.codebook_rows(self.conn, mention_attrs, event_attrs)
        self._write_rows(sheet, headers, text_idx, [rows], counted=False)

    def agreement(self) -> None:
        """`Agreement` (summary per code, type and pair, with counts) and `Disagreements`
        (document, place, text, each coder's value) when two or more coders worked."""
        from app.core.export.agreement_unitizing_rows import unitizing_rows
        from app.core.services.agreement import agreement_report

        try:
            report = agreement_report(self.project)
        except AnnotaryError:
            return  # fewer than two coders: nothing to compare
        columns = [Column(h, w) for h, w in (("kind", W_SHORT), ("name", W_NAME), ("coders", W_NAME),
                                             ("metric", W_NAME), ("value", W_NUM), ("n_a", W_NUM),
                                             ("n_b", W_NUM), ("matched", W_NUM), ("n_units", W_NUM),
                                             ("note", W_LONG))]
        rows: list[tuple[Any, ...]] = []
        everyone = ", ".join(report["coders"])
        for name, r in report["codes"].items():
            ci = r["krippendorff_alpha_ci95"] or [None, None]
            for metric, value, n, note in (
                (f"krippendorff_alpha ({r['level']})", r["krippendorff_alpha"], r["n_pairable_values"],
                 r["krippendorff_alpha_note"]),
                ("krippendorff_alpha_ci95_low", ci[0], None, r["krippendorff_alpha_ci95_note"]),
                ("krippendorff_alpha_ci95_high", ci[1], None, None),
                ("percent_agreement", r["percent_agreement"], r["percent_agreement_n_units"], None),
                ("fleiss_kappa", r["fleiss_kappa"], r["n_units"], r["fleiss_kappa_note"]),
            ):
                rows.append(("document code", name, everyone, metric, value, None, None, None, n, note))
            for pair, kappa in r["cohen_kappa"].items():
                rows.append(("document code", name, pair, "cohen_kappa", kappa, None, None, None,
                             r["cohen_kappa_detail"][pair]["n_units"], None))
        for pair in report["mentions"]["pairs"]:
            key = "|".join(pair["coders"])
            for type_name, kinds in [("all types", {"exact": pair["exact"], "overlap": pair["overlap"]}),
                                     *sorted(pair["by_type"].items())]:
                for kind, m in kinds.items():
                    rows.append(("mentions", type_name, key, f"{kind}_f1", m["f1"], m["n_a"], m["n_b"],
                                 m["matched"], None, "coder A is the reference"))
        rows += unitizing_rows(report)
        for pair in report["events"]["pairs"]:
            key = "|".join(pair["coders"])
            rows.append(("events", "all types", key, "f1", pair["f1"], pair["n_a"], pair["n_b"], pair["matched"],
                         None, "matched by document, type and overlapping trigger"))
            for kind, table in (("role", pair["roles"]), ("attribute", pair["attributes"])):
                for name, entry in table.items():
                    rows.append(("events", name, key, f"{kind} agreement", entry["agreement"], None, None,
                                 entry["agreed"], entry["compared"], "over matched events"))
        rows += _relation_rows(report["relations"]["pairs"])
        rows.append(("documents", "compared", everyone, "count", report["documents_compared"],
                     None, None, None, None, "documents every coder marked done"))
        for doc, why in report["documents_left_out"].items():
            rows.append(("documents", f"left out: {doc}", everyone, "reason", None, None, None, None, None, why))
        headers = [c.header for c in columns]
        sheet = self._sheet(AGREEMENT, columns)
        self._write_rows(sheet, headers, (0, 1, 2, 3, 9), [rows], counted=False)
        columns = [Column(h, w) for h, w in (("kind", W_SHORT), ("document_id", W_NUM), ("start", W_NUM),
                                             ("end", W_NUM), ("text", W_NAME), ("coder_a", W_SHORT),
                                             ("value_a", W_NAME), ("coder_b", W_SHORT), ("value_b", W_NAME),
                                             ("type", W_NAME), ("code", W_SHORT))]
        headers = [c.header for c in columns]
        sheet = self._sheet(DISAGREEMENTS, columns)
        rows = [tuple(d.get(h) for h in headers) for d in report["disagreements"]]
        self._write_rows(sheet, headers, (0, 4, 5, 6, 7, 8, 9, 10), [rows], counted=False)

    def summary(self, agreement: bool) -> None:
        """The counts of the standard figures with their charts (app.core.export.summary); the
        agreement per type only where the Agreement sheet is written."""
        from app.core.analysis.counts import figure_tables
        from app.core.export.summary import write_summary

        tables = figure_tables(self.project, self.coder)
        write_summary(self.wb, [t for t in tables if agreement or t.stem != "agreement_by_type"],
                      lambda ws: _attach_writer(ws, self.scratch / f"sheet{len(self.wb.worksheets)}.xml"))

    def about(self, exported_at: datetime) -> None:
        sheet = self._sheet(ABOUT, [Column("key", 24), Column("value", 110)])
        items: list[tuple[str, Any]] = [
            ("annotary_version", app.__version__),
            ("project_file", self.project.address),
            ("exported_at", exported_at.strftime("%Y-%m-%dT%H:%M:%SZ")),
            ("coder_filter", self.coder if self.coder is not None else "all coders"),
        ]
        items += [(f"rows_{_snake(title)}", s.rows) for title, s in self.sheets.items() if title != ABOUT]
        items += [
            ("offsets", OFFSETS_NOTE),
            ("ids", "ids are the project database's ids; they stay the same between exports"),
            ("alterations", len(self.altered)),
        ]
        items += [("altered", note) for note in self.altered]
        self._write_rows(sheet, ["key", "value"], (0, 1), [items], counted=False)


def _relation_rows(pairs: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Relation agreement per pair of coders, over all types then per type: F1, precision and
    recall with the counts (an undefined figure is an empty value noted "n/a")."""
    rows: list[tuple[Any, ...]] = []
    for pair in pairs:
        key = "|".join(pair["coders"])
        for name, r in [("all types", pair), *sorted(pair["by_type"].items())]:
            for metric in ("f1", "precision", "recall"):
                value = r[metric]
                note = ("coder A is the reference; ends on matched mentions" if value is not None else
                        f"n/a: {_undefined(metric, r['n_a'], r['n_b'])}")
                rows.append(("relations", name, key, metric, value, r["n_a"], r["n_b"], r["matched"], None, note))
    return rows


def _undefined(metric: str, n_a: int, n_b: int) -> str:
    """Why precision (B marked none), recall (A marked none) or F1 (either) is undefined."""
    missing = [f"coder {c}" for c, n, uses in (("A", n_a, metric in ("recall", "f1")), ("B", n_b, metric in ("precision", "f1")))
               if uses and not n]
    return (" and ".join(missing) + " marked no relations of this type") if missing else "undefined"


def _snake(title: str) -> str:
    return title.lower().replace(" ", "_")


def _code_value(value: str, level: str) -> Any:
    """Interval and ratio codes as numbers (when the stored text is a finite number)."""
    if level in ("interval", "ratio"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            return value
        if math.isfinite(number):
            return int(number) if number.is_integer() and abs(number) < 2**53 else number
    return value


def _save(wb: Workbook, fh: BinaryIO) -> None:
    """Workbook.save with a lighter deflate level: the sheets' XML is very repetitive, and
    level 3 compresses it about twice as fast as zlib's default for a file some 20 % larger."""
    archive = ZipFile(fh, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=ZIP_LEVEL)
    ExcelWriter(wb, archive).save()  # closes the archive


def _discard(wb: Workbook) -> None:
    """Close the per-sheet files of an unsaved write-only workbook and drop them from
    openpyxl's list (best effort; the files go with the export's private folder)."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        with contextlib.suppress(Exception):  # cleaning up after a failure already being raised
            rows = getattr(ws, "_rows", None)  # the write-only sheet's row generator
            if rows is not None:
                rows.close()
            writer.close()
        if writer.out in ALL_TEMP_FILES:
            ALL_TEMP_FILES.remove(writer.out)


def export_xlsx(project: Project, path: Path, coder: str | None = None,
                progress: Callable[[int, int], None] | None = None,
                cancel: Callable[[], bool] | None = None, agreement: bool = True,
                force: bool = False) -> ExportReport:
    """Write the project's annotations (only `coder`'s, if given) as an Excel workbook at `path`.

    With `agreement` (the default) and no coder filter, the Agreement and Disagreements
    sheets are added when two or more coders worked.

    An existing file at `path` is replaced only with `force`, and never when it is the
    project, a database or not a regular file (see app.core.write_target). The workbook
    is written in a private folder beside `path` and moved into place when complete: a
    failed, cancelled or killed export leaves `path` as it was.
    """
    path = Path(path)
    if path.is_dir():
        raise AnnotaryError(f"refusing to write over {path}: it is a folder; give the name of the workbook to write")
    if not path.parent.is_dir():
        raise AnnotaryError(f"folder {path.parent} does not exist")
    check_file_target(path, force=force, project=project.file)
    exported_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)

    with project.read() as session:
        if coder is not None:
            found = find_coder(session, coder)
            coder_id, coder = found.id, found.name
        else:
            coder_id = None
        conn = session.connection()  # one read transaction: every sheet sees the same data
        ticker = _Ticker(sum(q.row_counts(conn, coder_id).values()), progress, cancel)
        ticker.step()

        remove_stale(path.parent)
        try:
            scratch = make_work_folder(path)
        except OSError as exc:
            raise AnnotaryError(f"cannot write in {path.parent}: {exc.strerror}") from None
        export = _Export(project, conn, coder_id, coder, ticker, scratch)
        try:
            tmp = scratch / "workbook.xlsx"
            with open(tmp, "xb") as fh:
                mention_attrs = q.attribute_columns(conn, "mention", taken={
                    "mention_id", "document_id", "document_title", "coder", "type", "start", "end",
                    "text", "partial_word", "created", "note", "notes", "external_refs"})
                event_attrs = q.attribute_columns(conn, "event", taken={
                    "event_id", "document_id", "coder", "type", "trigger_start", "trigger_end",
                    "trigger_text", "created", "note", "notes", "external_refs"})
                export.documents()
                export.mentions(mention_attrs)
                export.events(event_attrs)
                export.arguments()
                export.relations()
                export.codes()
                if coder_id is None and agreement:
                    export.agreement()
                export.summary(agreement)
                export.codebook(mention_attrs, event_attrs)
                export.about(exported_at)
                ticker.step()
                _save(export.wb, fh)
                fh.flush()
                os.fsync(fh.fileno())
            ticker.step()
            publish(tmp, path, force=force, project=project.file)
        except BaseException as exc:
            _discard(export.wb)
            if isinstance(exc, OSError):
                raise AnnotaryError(f"cannot write {path}: {exc.strerror or exc}") from exc
            raise
        finally:
            remove_entry(scratch)
    ticker.done = ticker.total
    if progress is not None:
        progress(ticker.total, ticker.total)
    return ExportReport(
        path=path,
        rows={title: s.rows for title, s in export.sheets.items() if title != ABOUT},
        altered=list(export.altered),
        coder=coder,
        exported_at=exported_at,
    )
