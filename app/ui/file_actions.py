"""Project, import, export and codebook commands of the main window (File menu, drag and drop)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from app.core.codebook import (
    apply_codebook,
    load_codebook,
    read_codebook,
    save_codebook,
)
from app.core.errors import AnnotaryError
from app.core.paths import default_exports_dir
from app.core.project import Project
from app.core.services.documents import collect_paths, import_file
from app.core.write_target import TargetExists
from app.ui.tasks import run_task
from app.ui.worker_project import worker_project

if TYPE_CHECKING:
    from app.ui.host import Host


def task_project(window: Host) -> Callable[[], AbstractContextManager[Project]]:
    """Opens, in a worker thread, the window's project on a connection of its own. Its writes are
    the window's own (taken as seen right after each commit); a write of another program made
    before one of them is noted, so the window clears its undo history after the task."""
    window_project, watch = window.project, window.external_changes

    @contextmanager
    def opened() -> Iterator[Project]:
        with worker_project(window_project) as project:
            if watch is not None:
                project.write_guard = watch.note_if_changed
                project.after_write = watch.acknowledge
            yield project

    return opened


def import_documents(window: Host, paths: list[Path]) -> list:
    """Import files and folders in a worker thread; each file is committed as it is imported."""
    opened = task_project(window)
    files = list(collect_paths(paths))
    if not files:
        raise AnnotaryError("no .txt or .md files to import there")

    def task(progress, cancelled):
        outcomes = []
        with opened() as project:
            for i, path in enumerate(files):
                if cancelled():
                    break
                progress(i, len(files), path.name)
                outcomes.append(import_file(project, path))
        return outcomes

    outcomes = run_task(window.window_widget(), f"Importing {len(files)} file(s)…", task)
    window.after_import()
    counts = {s: sum(o.status == s for o in outcomes) for s in ("imported", "skipped", "rejected")}
    summary = f"Imported {counts['imported']}, skipped {counts['skipped']}, rejected {counts['rejected']}."
    if len(outcomes) < len(files):
        summary += f" Cancelled after {len(outcomes)} of {len(files)} files (those are kept)."
    problems = [f"{o.status}: {o.path.name}: {o.detail}" for o in outcomes if o.status != "imported"]
    window.statusBar().showMessage(summary, 10000)
    if problems:
        box = QMessageBox(QMessageBox.Icon.Information, "Import", summary, parent=window.window_widget())
        box.setDetailedText("\n".join(problems))
        box.exec() if not window.testing else None
    return outcomes


def ask_import_documents(window: Host, folder: bool = False) -> None:
    if folder:
        chosen = QFileDialog.getExistingDirectory(window.window_widget(), "Import a folder of .txt/.md files")
        paths = [Path(chosen)] if chosen else []
    else:
        chosen_files, _ = QFileDialog.getOpenFileNames(window.window_widget(), "Import documents", "", "Text (*.txt *.md);;All (*)")
        paths = [Path(p) for p in chosen_files]
    if paths:
        import_documents(window, paths)


def export_workbook(window: Host, target: Path, coder: str | None = None,
                    force: bool = False):
    """Export the workbook; `force` when the user already agreed to replace `target`
    (the save dialog asks), otherwise an existing target is asked about here. The core
    refuses the project, databases and non-regular files whatever `force` says."""
    from app.core.export.xlsx import export_xlsx

    window_project = window.project

    def run(replace: bool):
        def task(progress, cancelled):
            with worker_project(window_project) as project:
                return export_xlsx(project, target, coder=coder, force=replace,
                                   progress=lambda d, t: progress(d, t, ""), cancel=cancelled)

        return run_task(window.window_widget(), f"Exporting {target.name}…", task)

    report = _asking_to_replace(window, run, force)
    if report is not None:
        window.statusBar().showMessage(f"Exported {target}", 10000)
    return report


def _asking_to_replace(window: Host, run, force: bool):
    """`run(force)`; if it stops at files that exist, ask once and run again replacing them
    (None when the user says no)."""
    try:
        return run(force)
    except TargetExists as exc:
        if force:
            raise
        names = "\n".join(exc.names[:10]) + ("\n…" if len(exc.names) > 10 else "")
        answer = QMessageBox.question(
            window.window_widget(), "Replace files?",
            f"{len(exc.names)} file(s) already exist in {exc.folder} and would be replaced:\n{names}\n\nReplace?",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return run(True)


def default_target(suffix: str) -> str:
    return str(default_exports_dir() / f"annotary-{datetime.now():%Y%m%d-%H%M%S}{suffix}")


def ask_export(window: Host, fmt: str, coder: str | None = None) -> None:
    """Ask where to export; `coder` limits an Excel export to one coder (e.g. the gold set)."""
    if fmt == "xlsx":
        title = "Export Excel workbook" + (f" ({coder} only)" if coder else "")
        name, _ = QFileDialog.getSaveFileName(window.window_widget(), title, default_target(".xlsx"), "Excel (*.xlsx)")
        if name:
            target = Path(name) if name.endswith(".xlsx") else Path(name + ".xlsx")
            export_workbook(window, target, coder=coder, force=str(target) == name)  # the dialog asked about `name`
        return
    if fmt == "doccano":
        name, _ = QFileDialog.getSaveFileName(window.window_widget(), "Export doccano JSONL", default_target(".jsonl"),
                                              "JSONL (*.jsonl)")
        if name:
            from app.core.interchange.doccano import export_doccano

            _asking_to_replace(window, lambda force: _run_simple(
                window, "Exporting doccano…", lambda p: export_doccano(p, Path(name), force=force)), True)
        return
    folder = QFileDialog.getExistingDirectory(window.window_widget(), "Export brat into a folder")
    if folder:
        from app.core.interchange.brat import export_brat

        _asking_to_replace(window, lambda force: _run_simple(
            window, "Exporting brat…", lambda p: export_brat(p, Path(folder), force=force)), False)


def ask_import_annotations(window: Host, fmt: str) -> None:
    if fmt == "brat":
        source = QFileDialog.getExistingDirectory(window.window_widget(), "Import a brat folder (.txt/.ann pairs)")
    else:
        source, _ = QFileDialog.getOpenFileName(window.window_widget(), "Import doccano JSONL", "", "JSONL (*.jsonl *.json)")
    if not source:
        return
    coder, ok = QInputDialog.getText(window.window_widget(), "Import annotations", "Store the annotations under coder:",
                                     text=window.workspace.coder_name)
    if not ok or not coder.strip():
        return
    choices = [_KEEP_STATUS, "done"]
    chosen, ok = QInputDialog.getItem(window.window_widget(), "Import annotations",
                                      f"Mark the imported documents for {coder.strip()} as:", choices, 0, False)
    if ok:
        import_annotations(window, fmt, Path(source), coder.strip(), status=None if chosen == _KEEP_STATUS else "done")


_KEEP_STATUS = "in progress (documents already done stay done)"


def import_annotations(window: Host, fmt: str, source: Path, coder: str, *, status: str | None = None,
                       add_labels: bool = False, skip_invalid: bool = False) -> list | None:
    """Import in a worker thread, all or nothing. When the import is refused because a doccano
    file uses labels the codebook lacks (entity, event or relation types), or because some
    files or lines are invalid, ask whether to add the labels, or to import the valid ones,
    and try again; None when the user says no or cancels (nothing was imported)."""
    from app.core.interchange.brat import import_brat
    from app.core.interchange.doccano import import_doccano
    from app.core.interchange.import_result import ImportCancelled, ImportRefused, cancellable

    opened = task_project(window)

    def task(progress, cancelled):
        with opened() as project:
            # Cancel raises ImportCancelled from the import's progress calls, inside its one
            # transaction, which is then rolled back
            step = cancellable(lambda done, total: progress(done, total, ""), cancelled)
            if fmt == "brat":
                return import_brat(project, source, coder, step, skip_invalid=skip_invalid, status=status)
            return import_doccano(project, source, coder, step, skip_invalid=skip_invalid, add_labels=add_labels,
                                  status=status)

    try:
        reports = run_task(window.window_widget(), "Importing annotations…", task)
    except ImportCancelled as exc:
        window.statusBar().showMessage(str(exc), 10000)
        return None
    except ImportRefused as exc:
        retry = _ask_after_refusal(window, exc, add_labels, skip_invalid)
        if retry is None:
            window.statusBar().showMessage(f"Nothing was imported from {source.name}", 10000)
            return None
        return import_annotations(window, fmt, source, coder, status=status, **retry)
    finally:
        window.after_import(codebook_may_change=True)
    summary = (f"Imported annotations from {source.name}: {len(reports)} document(s), "
               f"{sum(r.mentions for r in reports)} mention(s), {sum(r.events for r in reports)} event(s)")
    if reports.skipped:
        summary += f"; {reports.skipped} already there (skipped)"
    for kind, names in (("entity", reports.added_types), ("event", reports.added_event_types),
                        ("relation", reports.added_relation_types)):
        if names:
            summary += f"; {kind} types added: {', '.join(names)}"
    if reports.refused:
        summary += f"; {len(reports.refused)} refused"
        box = QMessageBox(QMessageBox.Icon.Information, "Import annotations", summary + ".",
                          parent=window.window_widget())
        box.setDetailedText("\n".join(str(p) for p in reports.refused))
        box.exec() if not window.testing else None
    window.statusBar().showMessage(summary, 10000)
    return reports


_MAX_ASKED = 12  # unknown labels listed in the question (the rest counted)


def unknown_labels_question(unknown: list[tuple[str, str]]) -> str:
    """The question asked when a file uses labels the codebook lacks: each label with its kind
    ("entity type", "event type", "relation type"), one a line."""
    what = "1 label" if len(unknown) == 1 else f"{len(unknown)} labels"
    lines = [_isolated(f"• {name} ({kind})", name) for name, kind in unknown[:_MAX_ASKED]]
    if len(unknown) > _MAX_ASKED:
        lines.append(f"… and {len(unknown) - _MAX_ASKED} more")
    kinds = {kind for _, kind in unknown}
    if len(unknown) == 1:
        kind = unknown[0][1]
        add = f"Add it to the codebook as {'a' if kind == 'relation type' else 'an'} {kind}"
    elif len(kinds) == 1:
        add = f"Add them to the codebook as {kinds.pop()}s"
    else:
        add = "Add them to the codebook, each as the kind shown,"
    return f"The file uses {what} the codebook does not have:\n" + "\n".join(lines) + f"\n\n{add} and import?"


def _isolated(line: str, name: str) -> str:
    """`line` naming `name`; when the name is right-to-left (Arabic) the line is marked left to
    right (a paragraph takes the direction of its first letter) and the name set apart in it."""
    if not any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in name):
        return line
    # LEFT-TO-RIGHT MARK, and the name between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE
    return "\u200e" + line.replace(name, f"\u2068{name}\u2069", 1)


def _ask_after_refusal(window: Host, exc, add_labels: bool, skip_invalid: bool) -> dict[str, bool] | None:
    """What to try after a refused import (None: nothing; raises when there is nothing to offer)."""
    unknown = getattr(exc, "unknown", [])
    if unknown and not add_labels:
        answer = QMessageBox.question(window.window_widget(), "Import annotations", unknown_labels_question(unknown))
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return {"add_labels": True, "skip_invalid": skip_invalid}
    if exc.valid and not skip_invalid:
        listed = "\n".join(str(p) for p in exc.problems[:8]) + ("\n…" if len(exc.problems) > 8 else "")
        answer = QMessageBox.question(
            window.window_widget(), "Import annotations",
            f"{len(exc.problems)} problem(s) found, so nothing was imported:\n{listed}\n\n"
            f"Import the {exc.valid} valid {exc.unit}(s) and leave out the others?",
        )
        if answer != QMessageBox.StandardButton.Yes:
            return None
        return {"add_labels": add_labels, "skip_invalid": True}
    raise exc


def _run_simple(window: Host, title: str, fn):
    opened = task_project(window)

    def task(progress, cancelled):
        with opened() as project:
            return fn(project)

    return run_task(window.window_widget(), title, task)


def ask_codebook_export(window: Host) -> None:
    name, _ = QFileDialog.getSaveFileName(window.window_widget(), "Export codebook", "codebook.yaml", "Codebook (*.yaml *.yml *.json)")
    if name:
        with window.project.read() as session:
            spec = read_codebook(session)
        save_codebook(spec, Path(name), force=True, project=window.project.file)  # the dialog asked
        window.statusBar().showMessage(f"Codebook written to {name}", 10000)


def ask_codebook_import(window: Host) -> None:
    name, _ = QFileDialog.getOpenFileName(window.window_widget(), "Import codebook", "", "Codebook (*.yaml *.yml *.json)")
    if name:
        spec = load_codebook(Path(name))
        with window.project.uow() as session:
            apply_codebook(session, spec, Path(name))
        window.after_import(codebook_may_change=True)
        window.statusBar().showMessage(f"Codebook replaced by {name}", 10000)


def ask_merge(window: Host) -> None:
    name, _ = QFileDialog.getOpenFileName(window.window_widget(), "Merge a coder's copy", "", "Annotary project (*.annotary)")
    if name:
        merge_copy(window, Path(name))


def merge_copy(window: Host, source: Path, accept_codebook: bool | None = None):
    """Merge another project's annotations; if the codebooks differ, ask before adding."""
    from app.core.services.merge import merge_project

    def run(accept: bool):
        return _run_simple(window, "Merging…", lambda p: merge_project(p, source, accept_codebook=accept))

    try:
        report = run(bool(accept_codebook))
    except AnnotaryError as exc:
        if "codebooks differ" not in str(exc) or accept_codebook is False:
            raise
        answer = QMessageBox.question(window.window_widget(), "Merge", f"{exc}\n\nAdd the other codebook's additions and merge?")
        if answer != QMessageBox.StandardButton.Yes:
            return None
        report = run(True)
    window.after_import(codebook_may_change=True)
    window.statusBar().showMessage(report.describe().split("\n")[0], 10000)
    return report
