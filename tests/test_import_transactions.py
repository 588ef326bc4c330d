"""Annotation imports are all or nothing, idempotent, and record the coder's status.

brat folders and doccano files: a refused import leaves the project exactly as it was
(a full dump of the database is compared) and lists every invalid file or line;
--skip-invalid imports the valid ones; importing the same annotations again adds
nothing; every document of the import gets the coder's status, an empty .ann (a coder
who found nothing) too, so agreement compares that document.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import select

from app.cli import main
from app.core.codebook import read_codebook
from app.core.interchange.brat import import_brat
from app.core.interchange.doccano import import_doccano
from app.core.interchange.import_result import ImportRefused
from app.core.models import Coder, DocumentStatus
from app.core.project import open_project
from app.core.services.agreement import agreement_report
from project_reads import row_counts

DATA = Path(__file__).parent / "data"
BRAT = DATA / "brat"
REAL = DATA / "doccano" / "real"


def dump(project) -> str:
    """Every row of every table (the search index too), read through a connection of its own."""
    con = sqlite3.connect(project.path)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def statuses(project) -> dict[tuple[int, str], str]:
    with project.read() as s:
        rows = s.execute(select(DocumentStatus.document_id, Coder.name, DocumentStatus.status)
                         .join(Coder, Coder.id == DocumentStatus.coder_id))
        return {(doc, coder): status for doc, coder, status in rows}


def mixed_folder(root: Path) -> Path:
    """a_good, b_bad (covered text differs, line 2), c_good (Arabic), d_bad (unknown label, line 1)."""
    folder = root / "mixed"
    folder.mkdir()
    for name in ("a_good", "b_bad"):
        for ext in (".txt", ".ann"):
            shutil.copy(BRAT / "good_then_bad" / f"{name}{ext}", folder / f"{name}{ext}")
    for ext in (".txt", ".ann"):
        shutil.copy(BRAT / "arabic" / f"scale_ai_ar{ext}", folder / f"c_good{ext}")
    (folder / "d_bad.txt").write_text("A spaceship landed.\n", encoding="utf-8")
    (folder / "d_bad.ann").write_text("T1\tSpaceship 2 11\tspaceship\n", encoding="utf-8")
    return folder


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --------------------------------------------------------------------------- brat: all or nothing


def test_a_folder_with_bad_files_in_the_middle_stores_nothing_and_lists_every_bad_file(empty_project, tmp_path):
    folder = mixed_folder(tmp_path)
    before = dump(empty_project)
    with pytest.raises(ImportRefused) as info:
        import_brat(empty_project, folder, "alice")
    err = info.value
    assert [(Path(p.path).name, p.line) for p in err.problems] == [("b_bad.ann", 2), ("d_bad.ann", 1)]
    assert "unknown label 'Spaceship'" in err.problems[1].reason
    assert str(err).startswith(f"{folder / 'b_bad.ann'}:2: ")  # the first problem, then the rest on one line
    assert "d_bad.ann:1" in str(err) and "nothing was imported" in str(err) and "\n" not in str(err)
    assert (err.total, err.valid) == (4, 2)
    assert dump(empty_project) == before  # not even the good files before and between them, nor the coder


def test_skip_invalid_stores_the_good_files_and_lists_the_bad_ones(empty_project, tmp_path):
    folder = mixed_folder(tmp_path)
    reports = import_brat(empty_project, folder, "alice", skip_invalid=True)
    assert [r.path.name for r in reports] == ["a_good.txt", "c_good.txt"]
    assert [Path(p.path).name for p in reports.refused] == ["b_bad.ann", "d_bad.ann"]
    counts = row_counts(empty_project)
    assert (counts["documents"], counts["mentions"], counts["events"]) == (2, 3 + 10, 1 + 3)


def test_cli_lists_every_refused_file_and_leaves_the_project_file_unchanged(tmp_path, capsys):
    folder = mixed_folder(tmp_path)
    project = tmp_path / "p.annotary"
    assert run(capsys, "init", str(project), "--empty")[0] == 0
    with open_project(project) as p:
        before = dump(p)
    code, out, err = run(capsys, "import-annotations", str(folder), "--format", "brat", "--coder", "bob",
                         "--project", str(project))
    assert code == 1
    assert [line.split("\t")[1].split(":")[0] for line in out.splitlines()] == [
        str(folder / "b_bad.ann"), str(folder / "d_bad.ann")]
    assert out.startswith("refused\t") and "nothing was imported" in err and "--skip-invalid" in err
    with open_project(project) as p:
        assert dump(p) == before

    code, out, err = run(capsys, "import-annotations", str(folder), "--format", "brat", "--coder", "bob",
                         "--project", str(project), "--skip-invalid")
    assert code == 1  # something was refused, as `annotary import` says too
    kinds = [line.split("\t")[0] for line in out.splitlines()]
    assert kinds == ["imported", "imported", "refused", "refused", "summary"]
    assert "2 document(s): 13 mention(s) and 4 event(s) stored, 0 already there (skipped), 2 file(s) refused" in out


# --------------------------------------------------------------------------- idempotent


def test_importing_the_same_folder_again_adds_nothing_and_says_so(empty_project, tmp_path):
    folder = tmp_path / "good"
    folder.mkdir()
    for name in ("a_good.txt", "a_good.ann"):
        shutil.copy(BRAT / "good_then_bad" / name, folder / name)
    shutil.copytree(BRAT / "arabic", folder / "arabic")
    first = import_brat(empty_project, folder, "alice")
    counts = row_counts(empty_project)
    assert (counts["mentions"], counts["events"], counts["event_arguments"]) == (13, 4, 14)
    again = import_brat(empty_project, folder, "alice")
    assert row_counts(empty_project) == counts  # 13 mentions stay 13 (they were doubled before)
    assert [(r.mentions, r.events) for r in again] == [(0, 0), (0, 0)]
    assert [(r.skipped_mentions, r.skipped_events) for r in again] == [
        (r.mentions, r.events) for r in first]
    assert again.skipped == 13 + 4
    assert "skipped 3 mention(s) and 1 event(s) already there" in again[0].describe()
    # another coder's copy of the same annotations is theirs: stored
    import_brat(empty_project, folder, "bob")
    assert row_counts(empty_project)["mentions"] == 26


def test_an_annotation_that_differs_only_in_an_attribute_is_new(empty_project, tmp_path):
    (tmp_path / "a.txt").write_text("Meta lays off 600 engineers.\n", encoding="utf-8")
    ann = "T1\tOrganization 0 4\tMeta\nT2\tLayoff 5 13\tlays off\nE1\tLayoff:T2 Actor:T1\nA1\tModality E1 {}\n"
    (tmp_path / "a.ann").write_text(ann.format("asserted"), encoding="utf-8")
    import_brat(empty_project, tmp_path, "alice")
    (tmp_path / "a.ann").write_text(ann.format("reported"), encoding="utf-8")
    [report] = import_brat(empty_project, tmp_path, "alice")
    assert (report.mentions, report.skipped_mentions, report.events, report.skipped_events) == (0, 1, 1, 0)
    counts = row_counts(empty_project)
    assert (counts["mentions"], counts["events"], counts["event_arguments"]) == (1, 2, 2)  # both events use Meta


def test_reimporting_a_doccano_file_adds_nothing(empty_project):
    first = import_doccano(empty_project, DATA / "doccano" / "events.jsonl", "alice")
    counts = row_counts(empty_project)
    again = import_doccano(empty_project, DATA / "doccano" / "events.jsonl", "alice")
    assert row_counts(empty_project) == counts
    assert sum(r.mentions + r.events for r in again) == 0
    assert again.skipped == sum(r.mentions + r.events for r in first) > 0


def test_identical_annotations_in_one_file_are_counted_not_merged(empty_project):
    path = REAL / "sequence_labeling_overlapping.jsonl"  # the same span and label twice on one line
    [report] = import_doccano(empty_project, path, "alice", add_labels=True)
    assert (report.mentions, report.skipped_mentions) == (2, 0)  # as the file says (an export gives it back)
    [report] = import_doccano(empty_project, path, "alice")
    assert (report.mentions, report.skipped_mentions) == (0, 2)
    assert row_counts(empty_project)["mentions"] == 2


# --------------------------------------------------------------------------- doccano


def test_doccano_labels_the_codebook_lacks_are_named_with_the_fix(empty_project, tmp_path, capsys):
    before = dump(empty_project)
    with pytest.raises(ImportRefused) as info:
        import_doccano(empty_project, REAL / "sequence_labeling.jsonl", "alice")
    assert info.value.unknown_labels == ["ORG", "MISC"]  # PERSON is the codebook's Person
    assert "the file uses 2 labels the codebook does not have: ORG, MISC; --add-labels adds them" in str(info.value)
    assert dump(empty_project) == before

    code, out, err = run(capsys, "import-annotations", str(REAL / "sequence_labeling.jsonl"), "--format", "doccano",
                         "--coder", "alice", "--add-labels", "--project", str(empty_project.path))
    assert code == 0, err
    assert "codebook\tadded entity types: ORG, MISC" in out
    with empty_project.read() as s:
        names = [t.name for t in read_codebook(s).entity_types]
    assert names[-2:] == ["ORG", "MISC"]
    counts = row_counts(empty_project)
    assert (counts["documents"], counts["mentions"]) == (3, 4)


def test_add_labels_adds_nothing_when_the_import_is_refused(empty_project, tmp_path):
    path = tmp_path / "x.jsonl"
    lines = [json.dumps({"text": "EU rejects it.", "label": [[0, 2, "ORG"]]}), '{"label": []}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = dump(empty_project)
    with pytest.raises(ImportRefused) as info:
        import_doccano(empty_project, path, "alice", add_labels=True)
    assert [p.line for p in info.value.problems] == [2]
    assert dump(empty_project) == before  # ORG was added in the same transaction, and rolled back with it


def test_every_invalid_doccano_line_is_listed_by_number(empty_project, tmp_path, capsys):
    good = json.dumps({"text": "Meta lays off staff.", "label": [[0, 4, "Organization"]]})
    lines = [good, "{not json", good.replace("Meta", "Zeta"), '{"label": [[0, 1, "Person"]]}',
             json.dumps({"text": "Scale AI", "label": [[0, 80, "Organization"]]}), ""]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    before = dump(empty_project)
    with pytest.raises(ImportRefused) as info:
        import_doccano(empty_project, path, "alice")
    assert [p.line for p in info.value.problems] == [2, 4, 5]
    assert (info.value.total, info.value.valid, info.value.unit) == (5, 2, "line")
    assert dump(empty_project) == before

    code, out, _ = run(capsys, "import-annotations", str(path), "--format", "doccano", "--coder", "alice",
                       "--project", str(empty_project.path))
    assert code == 1
    assert [line.split("\t")[1].split(": ")[0] for line in out.splitlines()] == [f"{path}:{n}" for n in (2, 4, 5)]
    assert dump(empty_project) == before

    reports = import_doccano(empty_project, path, "alice", skip_invalid=True)
    assert [r.line for r in reports] == [1, 3]
    assert [p.line for p in reports.refused] == [2, 4, 5]


def test_a_real_doccano_line_without_text_is_listed_and_skipped(empty_project):
    with pytest.raises(ImportRefused) as info:
        import_doccano(empty_project, REAL / "sequence_labeling_missing_text.jsonl", "alice")
    assert [(p.line, p.reason) for p in info.value.problems] == [
        (1, "unknown label 'LOC' (span 1): not an entity or event type in the codebook"),
        (3, 'no "text" (the document text) in this record'),
    ]
    assert info.value.unknown_labels == ["LOC"]  # line 3's PER is not read: the line has no text
    reports = import_doccano(empty_project, REAL / "sequence_labeling_missing_text.jsonl", "alice",
                             skip_invalid=True, add_labels=True)
    assert [(r.line, r.mentions) for r in reports] == [(1, 1), (2, 0)]
    assert reports.added_types == ["LOC"]


# --------------------------------------------------------------------------- statuses


def test_every_document_of_an_import_gets_the_coders_status_empty_ann_included(empty_project, tmp_path):
    (tmp_path / "found.txt").write_text("Meta lays off staff.\n", encoding="utf-8")
    (tmp_path / "found.ann").write_text("T1\tOrganization 0 4\tMeta\n", encoding="utf-8")
    (tmp_path / "nothing.txt").write_text("Nothing happened today.\n", encoding="utf-8")
    (tmp_path / "nothing.ann").write_text("", encoding="utf-8")
    (tmp_path / "no_ann.txt").write_text("No annotation file here.\n", encoding="utf-8")
    reports = import_brat(empty_project, tmp_path, "alice")
    ids = {r.path.stem: r.document_id for r in reports}
    assert statuses(empty_project) == {(ids["found"], "alice"): "in_progress",
                                       (ids["nothing"], "alice"): "in_progress"}  # no .ann: not coded
    import_brat(empty_project, tmp_path, "alice", status="done")
    assert statuses(empty_project) == {(ids["found"], "alice"): "done", (ids["nothing"], "alice"): "done"}
    reports = import_brat(empty_project, tmp_path, "alice")  # the default leaves done documents done
    assert statuses(empty_project)[(ids["nothing"], "alice")] == "done"
    assert [(r.path.stem, r.coder_status) for r in reports] == [("found", "done"), ("no_ann", None),
                                                                 ("nothing", "done")]
    import_brat(empty_project, tmp_path, "alice", status="in-progress")
    assert statuses(empty_project)[(ids["nothing"], "alice")] == "in_progress"


def test_a_doccano_line_without_labels_records_the_coders_status(empty_project, capsys):
    code, out, err = run(capsys, "import-annotations", str(REAL / "sequence_labeling_missing_text.jsonl"),
                         "--format", "doccano", "--coder", "bob", "--add-labels", "--skip-invalid",
                         "--status", "done", "--project", str(empty_project.path))
    assert code == 1 and "refused\t" in out, err
    assert statuses(empty_project) == {(1, "bob"): "done", (2, "bob"): "done"}
    assert "0 mention(s)" in out.splitlines()[1] and out.splitlines()[1].endswith("coder's status: done")


def test_agreement_compares_a_document_where_one_coder_found_nothing(empty_project, tmp_path):
    text = "Meta lays off 600 engineers in Menlo Park.\n"
    other = "Scale AI cut 200 jobs.\n"
    for coder, first, second in (("alice", "T1\tOrganization 0 4\tMeta\nT2\tLocation 31 41\tMenlo Park\n",
                                  "T1\tOrganization 0 8\tScale AI\n"),
                                 ("bob", "", "T1\tOrganization 0 8\tScale AI\n")):
        folder = tmp_path / coder
        folder.mkdir()
        (folder / "a.txt").write_text(text, encoding="utf-8")
        (folder / "a.ann").write_text(first, encoding="utf-8")
        (folder / "b.txt").write_text(other, encoding="utf-8")
        (folder / "b.ann").write_text(second, encoding="utf-8")
        import_brat(empty_project, folder, coder, status="done")
    report = agreement_report(empty_project, n_boot=10)
    assert report["documents_compared"] == 2 and report["documents_left_out"] == {}
    [pair] = report["mentions"]["pairs"]
    assert pair["coders"] == ["alice", "bob"]
    assert (pair["exact"]["n_a"], pair["exact"]["n_b"], pair["exact"]["matched"]) == (3, 1, 1)
    assert sum(d["kind"] == "mention" and d["document_id"] == 1 for d in report["disagreements"]) == 2


# --------------------------------------------------------------------------- progress


def test_folder_progress_moves_forward_to_the_end_even_when_refused(empty_project, tmp_path):
    folder = mixed_folder(tmp_path)
    seen: list[tuple[int, int]] = []
    with pytest.raises(ImportRefused):
        import_brat(empty_project, folder, "alice", progress=lambda done, total: seen.append((done, total)))
    assert seen[-1][0] == seen[-1][1] == sum(1 + p.stat().st_size for p in folder.glob("*.ann"))
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


# --------------------------------------------------------------------------- GUI


@pytest.fixture
def window(qtbot, tmp_path):
    from app.core.services.projects import init_project
    from app.ui.main_window import MainWindow

    win = MainWindow(init_project(tmp_path / "gui.annotary", empty=True), "alice", testing=True)
    qtbot.addWidget(win)
    yield win
    win.close()


def test_gui_asks_before_adding_unknown_labels_and_retries(window, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.ui import file_actions

    asked: list[str] = []
    answer = [QMessageBox.StandardButton.No]

    def question(parent, title, text, *args):
        asked.append(text)
        return answer[0]

    monkeypatch.setattr(QMessageBox, "question", question)
    before = dump(window.project)
    assert file_actions.import_annotations(window, "doccano", REAL / "sequence_labeling.jsonl", "bob") is None
    assert asked == ["The file uses 2 labels the codebook does not have:\n• ORG (entity type)\n• MISC (entity type)\n\n"
                     "Add them to the codebook as entity types and import?"]
    assert dump(window.project) == before
    answer[0] = QMessageBox.StandardButton.Yes
    reports = file_actions.import_annotations(window, "doccano", REAL / "sequence_labeling.jsonl", "bob")
    assert [r.mentions for r in reports] == [2, 1, 1] and reports.added_types == ["ORG", "MISC"]
    assert window.doc_model.rowCount() == 3
    assert "entity types added: ORG, MISC" in window.statusBar().currentMessage()


def test_gui_offers_to_import_the_valid_files(window, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox

    from app.ui import file_actions

    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda parent, title, text, *a: asked.append(text) or QMessageBox.StandardButton.Yes)
    reports = file_actions.import_annotations(window, "brat", mixed_folder(tmp_path), "bob")
    assert len(asked) == 1 and "b_bad.ann:2" in asked[0] and "d_bad.ann:1" in asked[0]
    assert "Import the 2 valid file(s)" in asked[0]
    assert [r.path.name for r in reports] == ["a_good.txt", "c_good.txt"] and len(reports.refused) == 2
    assert "2 refused" in window.statusBar().currentMessage()


def test_a_symmetric_relation_given_the_other_way_round_is_already_there(empty_project, tmp_path):
    """Same_as A↔B stored, then a file with B↔A: the same relation, skipped, not a second one."""
    from sqlalchemy import func, select

    from app.core.interchange.brat import import_brat
    from app.core.models import Relation

    conf = ("[entities]\nOrganization\n[relations]\n"
            "Same_as Arg1:Organization, Arg2:Organization, <REL-TYPE>:symmetric-transitive\n"
            "[events]\n[attributes]\n")
    for name, arcs in (("first", "Arg1:T1 Arg2:T2"), ("second", "Arg1:T2 Arg2:T1")):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "annotation.conf").write_text(conf, encoding="utf-8")
        (folder / "doc.txt").write_text("Meta and Facebook", encoding="utf-8")
        (folder / "doc.ann").write_text(
            f"T1\tOrganization 0 4\tMeta\nT2\tOrganization 9 17\tFacebook\nR1\tSame_as {arcs}\n", encoding="utf-8")
        import_brat(empty_project, folder, "alice")
    with empty_project.read() as s:
        assert s.scalar(select(func.count()).select_from(Relation)) == 1
