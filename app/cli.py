"""The `annotary` command: the GUI by default, subcommands for project work. Core only."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from app import __version__
from app.core.errors import AnnotaryError
from app.core.project_damage import damage_of
from app.core.terminal import printable, printable_row

if TYPE_CHECKING:
    from app.core.project import Project

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--project", metavar="PATH|URL", default=argparse.SUPPRESS,
        help="project file, or a team project's postgresql://USER@HOST:PORT/DB (password from PGPASSWORD or "
             "~/.pgpass) (default: $ANNOTARY_PROJECT, else the default project in your data folder)",
    )
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show a traceback on errors")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="annotary", parents=[common],
        description="Annotary: annotate entity mentions, events and document codes in multilingual news.",
    )
    parser.add_argument("--version", action="version", version=f"annotary {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, handler: Callable[[argparse.Namespace], int], help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help, description=help)
        p.set_defaults(handler=handler)
        return p

    p = add("gui", cmd_gui, "start the desktop application (the default)")
    p.add_argument("--coder", metavar="NAME", help="code as NAME (otherwise asked, or remembered)")

    p = add("init", cmd_init, "create a new project file, or a team project in an empty PostgreSQL database")
    p.add_argument("path", metavar="PATH|URL", help="the new project file (suggested extension .annotary), or "
                   "postgresql://USER@HOST:PORT/DB of an existing empty database (password from PGPASSWORD or "
                   "~/.pgpass)")
    p.add_argument("--empty", action="store_true", help="without the built-in seed articles")
    p.add_argument("--codebook", metavar="FILE", help="codebook file (YAML or JSON) instead of the default one")

    p = add("import", cmd_import, "import plain-text documents (.txt, .md; folders recursively)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--encoding", metavar="ENC", help="decode every file with this encoding (e.g. cp1256)")

    p = add("documents", cmd_documents, "list the project's documents")
    p.add_argument("--json", action="store_true", help="as a JSON list")

    p = add("import-annotations", cmd_import_annotations, "import brat or doccano annotations")
    p.add_argument("path", metavar="PATH", help="a brat folder or a doccano .jsonl file")
    p.add_argument("--format", required=True, choices=("brat", "doccano"))
    p.add_argument("--coder", metavar="NAME",
                   help="the coder the annotations are stored under (on a server project: you, the role you "
                        "log in as; may be left out)")
    p.add_argument("--status", choices=("in-progress", "done"),
                   help="the coder's status of every imported document (default: in progress, "
                        "unless the coder already marked it done)")
    p.add_argument("--skip-invalid", action="store_true",
                   help="import the valid files (brat) or lines (doccano) and list the invalid ones "
                        "(default: nothing is imported when any is invalid)")
    p.add_argument("--add-labels", action="store_true",
                   help=("doccano: add the labels the codebook does not have as entity, event and "
                         "relation types (as the file uses each)"))

    p = add("export", cmd_export, "export the coded dataset (Excel, brat or doccano)")
    p.add_argument("target", nargs="?", metavar="FILE_OR_DIR",
                   help="FILE.xlsx, FILE.jsonl (doccano) or a folder (brat); default: a new .xlsx in exports/")
    p.add_argument("--format", choices=("xlsx", "brat", "doccano"), help="default: from the target's name")
    p.add_argument("--coder", metavar="NAME", help="only this coder's annotations")
    p.add_argument("--no-agreement", action="store_true",
                   help="Excel: leave out the Agreement and Disagreements sheets")
    p.add_argument("--force", action="store_true",
                   help="replace existing files (never a project, a database or a non-regular file)")

    p = add("codebook", cmd_codebook, "export or import the codebook file")
    p.add_argument("action", choices=("export", "import"))
    p.add_argument("file", metavar="FILE", help="YAML (.yaml/.yml) or JSON (.json)")
    p.add_argument("--force", action="store_true", help="export: replace an existing FILE")

    p = add("merge", cmd_merge, "bring in another project's annotations (documents matched by text)")
    p.add_argument("other", metavar="OTHER.annotary", help="a project file (a server project: copy it to a file first)")
    p.add_argument("--accept-codebook", action="store_true",
                   help="add the other project's extra types, roles, attributes and values to this codebook")
    p.add_argument("--import-missing", action="store_true",
                   help="also import documents that only the other project has")

    p = add("copy", cmd_copy, "copy a whole project, every id kept, to a new file (or a server database)")
    p.add_argument("source", metavar="SOURCE", help="the project to copy")
    p.add_argument("dest", metavar="DEST", help="a project file that does not exist yet")

    p = add("reliability", cmd_reliability, "agreement statistics for a ratings table in a CSV file")
    p.add_argument("file", metavar="FILE.csv", help="wide (unit,<coder1>,<coder2>,...) or long (unit,coder,value)")
    p.add_argument("--level", default="nominal", choices=("nominal", "ordinal", "interval", "ratio"))
    p.add_argument("--order", metavar="A,B,C", help="the ordered categories of an ordinal scale, lowest first")
    p.add_argument("--json", action="store_true", help="the full report as JSON")
    p.add_argument("--seed", type=int, default=0, help="seed of the bootstrap interval (default 0)")

    p = add("agreement", cmd_agreement, "inter-coder agreement of this project (codes, mentions, events, relations)")
    p.add_argument("--coders", metavar="A,B,...", help="the coders to compare (default: all but gold)")
    p.add_argument("--include-unfinished", action="store_true",
                   help="also compare documents not marked done by every coder")
    p.add_argument("--json", action="store_true")

    from app import cli_review

    cli_review.register(add)
    from app import cli_report

    cli_report.register(add)
    add("info", cmd_info, "show the project's file, schema and contents")
    add("check", cmd_check, "check the project file: SQLite's integrity check and every row's meaning")
    return parser


# ---------------------------------------------------------------- commands


_opened: str | None = None
"""The project the running command opened (named when SQLite later finds it damaged)."""


def _open(args: argparse.Namespace) -> Project:
    from app.core.services.projects import open_for_command

    project = open_for_command(getattr(args, "project", None))
    global _opened
    _opened = project.address
    if project.backup_path is not None:
        print(printable(f"upgraded {project.address} (backup of the old file: {project.backup_path})"), file=sys.stderr)
    elif project.upgraded_from is not None and project.on_server:
        print(printable(f"upgraded {project.address} from schema {project.upgraded_from} (a database on a server: "
                        "no backup copy was made; back it up with pg_dump before upgrading Annotary)"),
              file=sys.stderr)
    return project


GuiRunner = Callable[[str | None, str | None], int]
"""Starts the desktop app on a project path (or the default) as a coder (or asks): `app.launch`
hands it to `main`, so this module, like the rest of the core's command line, never imports Qt."""


def cmd_gui(args: argparse.Namespace, gui: GuiRunner | None = None) -> int:
    if gui is None:
        raise AnnotaryError("the desktop GUI starts from the annotary command; use the subcommands here")
    return gui(getattr(args, "project", None), getattr(args, "coder", None))


def cmd_init(args: argparse.Namespace) -> int:
    from app.core.address import project_address
    from app.core.services.projects import init_project

    with init_project(project_address(args.path), empty=args.empty,
                      codebook=Path(args.codebook) if args.codebook else None) as p:
        counts = _counts(p)
        where = p.address
    print(f"created {printable(where)}: {counts['documents']} document(s), "
          f"{counts['entity_types']} entity types, {counts['event_types']} event types")
    return EXIT_OK


def cmd_import(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from app.core.services.documents import collect_paths, import_file

    unlisted: list = []  # folders that could not be listed: one line each, and exit 1
    files = list(collect_paths(args.paths, unlisted))
    rejected = len(unlisted)
    for outcome in unlisted:
        print(outcome.line())
    with _open(args) as project:
        bar = tqdm(total=len(files), unit="file", file=sys.stderr, disable=not sys.stderr.isatty() or len(files) < 20,
                   leave=False)
        for path in files:
            outcome = import_file(project, path, args.encoding)
            rejected += outcome.status == "rejected"
            bar.write(printable(outcome.line(), keep="\t"), file=sys.stdout)
            bar.update()
        bar.close()
    if not files and not unlisted:
        raise AnnotaryError("no .txt or .md files found in " + ", ".join(args.paths))
    return EXIT_FAILED if rejected else EXIT_OK


def cmd_documents(args: argparse.Namespace) -> int:
    from app.core.services.listing import list_documents

    with _open(args) as project:
        rows = list_documents(project)
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    print("id\tlanguage\tdirection\tchars\tmentions\tevents\ttitle")
    for r in rows:
        print(printable_row(r["id"], r["language"], r["direction"], r["chars"], r["mentions"], r["events"], r["title"]))
    return EXIT_OK


def cmd_import_annotations(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from app.core.interchange.import_result import ImportRefused

    path = Path(args.path)
    brat = args.format == "brat"  # brat reports bytes of .ann files, doccano records
    if brat and args.add_labels:
        raise AnnotaryError("--add-labels is for doccano; a brat folder adds types through its annotation.conf")
    bar = tqdm(unit="B" if brat else "record", unit_scale=brat, file=sys.stderr, disable=not sys.stderr.isatty(),
               leave=False)

    def progress(done: int, total: int) -> None:
        bar.total = total
        bar.update(done - bar.n)

    options = {"skip_invalid": args.skip_invalid, "status": args.status}
    with _open(args) as project:
        from app.core.server.identity import coder_for

        coder = coder_for(project, args.coder)
        try:
            if args.format == "brat":
                from app.core.interchange.brat import import_brat

                if not path.is_dir():
                    raise AnnotaryError(f"{path} is not a folder of brat .txt/.ann files")
                reports = import_brat(project, path, coder, progress, **options)
            else:
                from app.core.interchange.doccano import import_doccano

                if not path.is_file():
                    raise AnnotaryError(f"no file {path}")
                reports = import_doccano(project, path, coder, progress, add_labels=args.add_labels, **options)
        except ImportRefused as exc:
            bar.close()  # before the lines it would otherwise cross
            for problem in exc.problems:  # every one, the first is also the error line
                _print_lines("refused\t" + str(problem))
            raise
        finally:
            bar.close()
    for report in reports:
        _print_lines("imported\t" + report.describe())
    for problem in reports.refused:
        _print_lines("refused\t" + str(problem))
    if reports.added_types:
        _print_lines("codebook\tadded entity types: " + ", ".join(reports.added_types))
    skipped = reports.skipped
    _print_lines(
        f"summary\t{len(reports)} document(s): {sum(r.mentions for r in reports)} mention(s) and "
        f"{sum(r.events for r in reports)} event(s) stored, {skipped} already there (skipped), "
        f"{len(reports.refused)} {'file' if brat else 'line'}(s) refused"
    )
    return EXIT_FAILED if reports.refused else EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from app.core.paths import default_exports_dir

    fmt = args.format
    target = Path(args.target) if args.target else None
    if fmt is None:
        if target is None or target.suffix.lower() == ".xlsx":
            fmt = "xlsx"
        elif target.suffix.lower() in (".jsonl", ".json"):
            fmt = "doccano"
        elif target.is_dir() or not target.suffix:
            fmt = "brat"
        else:
            from app.core.write_target import check_file_target

            if os.path.lexists(target):  # a project, a database or a special file: say that first
                check_file_target(target, force=True)
            raise AnnotaryError(f"cannot tell the format from {target.name!r}; add --format xlsx|brat|doccano")
    if target is None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        name = {"xlsx": f"annotary-{stamp}.xlsx", "doccano": f"annotary-{stamp}.jsonl", "brat": f"brat-{stamp}"}[fmt]
        target = default_exports_dir() / name
    with _open(args) as project:
        if fmt == "xlsx":
            from app.core.export.xlsx import export_xlsx

            report = export_xlsx(project, target, coder=args.coder, progress=_progress_printer(),
                                 agreement=not args.no_agreement, force=args.force)
            counts = ", ".join(f"{k}: {v}" for k, v in report.rows.items())
            print(f"exported {target}: {counts}")
            for note in report.altered:
                print(f"altered: {note}")
        elif fmt == "brat":
            from app.core.interchange.brat import export_brat

            print(export_brat(project, target, coder=args.coder, force=args.force).describe())
        else:
            from app.core.interchange.doccano import export_doccano

            print(export_doccano(project, target, coder=args.coder, force=args.force).describe())
    return EXIT_OK


def _progress_printer() -> Callable[[int, int], None] | None:
    if not sys.stderr.isatty():
        return None
    from tqdm import tqdm

    bar = tqdm(unit="row", file=sys.stderr, leave=False)

    def update(done: int, total: int) -> None:
        bar.total = total
        bar.n = done
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def cmd_codebook(args: argparse.Namespace) -> int:
    from app.core.codebook import (
        apply_codebook,
        load_codebook,
        read_codebook,
        save_codebook,
    )

    path = Path(args.file)
    with _open(args) as project:
        if args.action == "export":
            with project.read() as session:
                spec = read_codebook(session)
            save_codebook(spec, path, force=args.force, project=project.file)
            print(f"wrote {path}: {len(spec.entity_types)} entity types, {len(spec.event_types)} event types, "
                  f"{len(spec.attributes)} attributes, {len(spec.document_codes)} document codes")
        else:
            spec = load_codebook(path)
            with project.uow() as session:
                apply_codebook(session, spec, path)
            print(f"codebook of {project.address} replaced by {path}: {len(spec.entity_types)} entity types, "
                  f"{len(spec.event_types)} event types, {len(spec.attributes)} attributes, "
                  f"{len(spec.document_codes)} document codes")
    return EXIT_OK


def _counts(project: Project) -> dict[str, int]:
    from app.core.services.listing import project_counts

    return project_counts(project)


def cmd_merge(args: argparse.Namespace) -> int:
    from app.core.address import is_server_address
    from app.core.services.merge import merge_project

    if is_server_address(args.other):
        raise AnnotaryError(f"merge takes a project file (a coder's copy), not a server project: copy it to a file "
                            f"first (annotary copy {args.other} FILE), then merge that file")
    with _open(args) as project:
        report = merge_project(project, Path(args.other), accept_codebook=args.accept_codebook,
                               import_missing=args.import_missing)
    _print_lines(report.describe())
    return EXIT_OK


def cmd_copy(args: argparse.Namespace) -> int:
    from app.core.services.copy_project import copy_project

    report = copy_project(args.source, args.dest)
    print(printable(f"copied {args.source} to {args.dest}: {report.total} rows in {len(report.rows)} tables, "
                    "compared row by row"))
    if report.logins:
        print(printable(f"coders who log in to it as before: {', '.join(report.logins)}"))
    if report.without_login:
        print(printable(f"coders with no login on this server yet (add each with 'annotary coders add NAME'): "
                        f"{', '.join(report.without_login)}"))
    return EXIT_OK


def _print_lines(text: str) -> None:
    """A report of several lines; what it quotes from titles or file names is made printable."""
    for line in text.split("\n"):
        print(printable(line, keep="\t"))


def _fmt(value: object) -> str:
    return "n/a" if value is None else (f"{value:.3f}" if isinstance(value, float) else str(value))


def cmd_reliability(args: argparse.Namespace) -> int:
    from app.core.stats.csv_ratings import read_ratings_csv
    from app.core.stats.ratings import rating_report

    order = [o.strip() for o in args.order.split(",")] if args.order else None
    table = read_ratings_csv(Path(args.file), args.level, order)
    report = rating_report(table, args.level, order, seed=args.seed)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    ci = report["krippendorff_alpha_ci95"]
    print(f"units {report['n_units']} (left out {report['n_units_left_out']}), coders {report['n_coders']}, "
          f"pairable values {report['n_pairable_values']}, level {report['level']}")
    print(f"percent agreement\t{_fmt(report['percent_agreement'])}")
    for pair, kappa in report["cohen_kappa"].items():
        print(f"Cohen's kappa {printable(pair)}\t{_fmt(kappa)}")
    print(f"Fleiss' kappa\t{_fmt(report['fleiss_kappa'])}" +
          (f"\t({report['fleiss_kappa_note']})" if report["fleiss_kappa"] is None else ""))
    print(f"Krippendorff's alpha\t{_fmt(report['krippendorff_alpha'])}\t95% CI "
          + (f"[{_fmt(ci[0])}, {_fmt(ci[1])}]" if ci else "n/a"))
    return EXIT_OK


def cmd_agreement(args: argparse.Namespace) -> int:
    from app.core.services.agreement import agreement_report

    coders = [c.strip() for c in args.coders.split(",") if c.strip()] if args.coders else None
    with _open(args) as project:
        report = agreement_report(project, coders, args.include_unfinished)
    if args.json:
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return EXIT_OK
    compared = "any two coders worked on" if report["include_unfinished"] else "marked done by every coder"
    print(f"coders {printable(', '.join(report['coders']))}; documents compared {report['documents_compared']} "
          f"({compared}), left out {len(report['documents_left_out'])}")
    for doc, why in report["documents_left_out"].items():
        print(f"  left out: document {doc}: {printable(why)}")
    for name, r in report["codes"].items():
        ci = r["krippendorff_alpha_ci95"]
        print(f"code {printable(name)} ({r['level']}): alpha {_fmt(r['krippendorff_alpha'])} "
              f"95% CI {'[' + _fmt(ci[0]) + ', ' + _fmt(ci[1]) + ']' if ci else 'n/a'}, "
              f"percent {_fmt(r['percent_agreement'])}, units {r['n_units']}")
    for pair in report["mentions"]["pairs"]:
        a, b = (printable(c) for c in pair["coders"])
        for kind in ("exact", "overlap"):
            m = pair[kind]
            print(f"mentions {a}|{b} {kind}: F1 {_fmt(m['f1'])} P {_fmt(m['precision'])} R {_fmt(m['recall'])} "
                  f"({m['matched']} matched of {m['n_a']}/{m['n_b']})")
        for t, kinds in sorted(pair["by_type"].items()):
            print(f"  {printable(t)}: exact F1 {_fmt(kinds['exact']['f1'])}, overlap F1 {_fmt(kinds['overlap']['f1'])}")
    for pair in report["events"]["pairs"]:
        a, b = (printable(c) for c in pair["coders"])
        print(f"events {a}|{b}: F1 {_fmt(pair['f1'])} ({pair['matched']} matched of {pair['n_a']}/{pair['n_b']})")
    for pair in report["relations"]["pairs"]:
        a, b = (printable(c) for c in pair["coders"])
        print(f"relations {a}|{b}: F1 {_fmt(pair['f1'])} P {_fmt(pair['precision'])} R {_fmt(pair['recall'])} "
              f"({pair['matched']} matched of {pair['n_a']}/{pair['n_b']})")
        for t, r in pair["by_type"].items():
            print(f"  {printable(t)}: F1 {_fmt(r['f1'])} P {_fmt(r['precision'])} R {_fmt(r['recall'])} "
                  f"({r['matched']} matched of {r['n_a']}/{r['n_b']})")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from app.core.services.project_check import check_project

    with _open(args) as project:
        check_project(project)
        what = "file integrity, references" if project.file is not None else "tables and columns"
        print(printable(f"{project.address}: ok ({what}, and every row checked)"))
    return EXIT_OK


def cmd_info(args: argparse.Namespace) -> int:
    from app.core import migrations

    with _open(args) as project:
        counts = _counts(project)
        revision = migrations.current_revision(project.engine)
        print(f"project\t{printable(project.address)}")
        print(f"schema\t{revision}")
        print(f"annotary\t{__version__}")
        for key, value in counts.items():
            print(f"{key}\t{value}")
    return EXIT_OK


# ---------------------------------------------------------------- entry point


def _log_unexpected(exc: BaseException) -> Path | None:
    from app.core.logfile import log_exception

    return log_exception(exc)


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else ""


def main(argv: Sequence[str] | None = None, gui: GuiRunner | None = None) -> int:
    """The command line; `gui` runs the `gui` subcommand (and a bare `annotary`)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None) or cmd_gui
    debug = getattr(args, "debug", False)
    try:
        return cmd_gui(args, gui) if handler is cmd_gui else handler(args)
    except AnnotaryError as exc:
        if debug:
            traceback.print_exc()
        print(f"annotary: error: {printable(exc)}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("annotary: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: stop quietly
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_FAILED
    except Exception as exc:  # noqa: BLE001 - the last line of defence: log, one line, non-zero
        damage = damage_of(exc)
        if damage is not None:  # a page SQLite reads only now is broken (opening did not read it)
            if debug:
                traceback.print_exc()
            where = _opened if _opened is not None else "the project file"
            print(printable(f"annotary: error: {where} is damaged ({damage}); restore it from a backup"),
                  file=sys.stderr)
            return EXIT_FAILED
        if debug:
            traceback.print_exc()
        logfile = _log_unexpected(exc)
        where = f" (details in {logfile})" if logfile else ""
        print(printable(f"annotary: unexpected error: {type(exc).__name__}: {_first_line(exc)}{where}"),
              file=sys.stderr)
        logging.shutdown()
        return EXIT_FAILED
