"""Project files made by each released schema open with the current code and keep everything.

The fixtures are written by tests/data/projects/make_fixture.py (see its docstring)."""

import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core import migrations
from app.core.errors import ProjectError
from app.core.find import fold
from app.core.models import (
    Attribute,
    Coder,
    Document,
    DocumentCode,
    DocumentCodeValue,
    DocumentStatus,
    Event,
    EventArgument,
    EventAttributeValue,
    EventRole,
    EventType,
    Mention,
    MentionAttributeValue,
    ProjectSetting,
)
from app.core.project import open_project
from app.core.search_index import FTS_TABLE, is_search_table, trigram_available

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "data" / "projects"
ROWS = {
    "documents": 3, "coders": 3, "mentions": 12, "events": 4, "event_arguments": 9, "event_attribute_values": 3,
    "mention_attribute_values": 2, "document_code_values": 5, "document_status": 6, "entity_types": 14,
    "event_types": 11, "event_roles": 76, "role_accepts": 196, "attributes": 2, "document_codes": 2,
}
REVIEW_ROWS = {"0002": {"project_settings": 0, "gold_rejections": 0},
               "0003": {"project_settings": 1, "gold_rejections": 1}}
NESTED_RELATION_ROWS = {"role_accepts_events": 0, "relation_types": 0, "relation_source_accepts": 0,
                        "relation_target_accepts": 0, "relations": 0,
                        "annotation_notes": 0, "external_references": 0}
"""Tables of schema 0005 and 0006, empty after an upgrade."""
ROLES = {"0002": {"alice": "coder", "bob": "coder", "gold": "adjudicator"},
         "0003": {"alice": "coder", "bob": "adjudicator", "gold": "adjudicator"}}


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_of(revision: str, tmp_path: Path) -> Path:
    original = FIXTURES / f"schema-{revision}.annotary"
    target = tmp_path / "corpus.annotary"
    shutil.copyfile(original, target)
    return target


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(f"{path.stem}.before-upgrade-*"))


def count_rows(path: Path) -> dict[str, int]:
    """Rows of every table but the schema version and the text search index (see `indexed_texts`)."""
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables
                if t != "alembic_version" and not is_search_table(t)}
    finally:
        con.close()


def indexed_texts(path: Path) -> dict[int, str]:
    """The search index's folded text of each document (schema 0004 on)."""
    con = sqlite3.connect(path)
    try:
        return dict(con.execute(f"SELECT rowid, folded FROM {FTS_TABLE}").fetchall())
    finally:
        con.close()


def check_content(project, revision: str) -> None:  # type: ignore[no-untyped-def]
    with project.read() as s:
        docs = {d.filename: d for d in s.scalars(select(Document))}
        coders = {c.id: c.name for c in s.scalars(select(Coder))}
        assert {c.name: c.role for c in s.scalars(select(Coder))} == ROLES[revision]
        assert docs["meta.txt"].text.startswith("Meta lays off 600 employees 😀 in its AI unit.\nThe cuts")
        assert docs["ar.txt"].direction == "rtl"
        for m in s.scalars(select(Mention)):
            assert m.text == docs_by_id(docs)[m.document_id].text[m.start:m.end]
        for e in s.scalars(select(Event).where(Event.trigger_start.is_not(None))):
            assert e.trigger_text == docs_by_id(docs)[e.document_id].text[e.trigger_start:e.trigger_end]
        args = s.execute(
            select(Coder.name, Document.filename, EventRole.name, Mention.text).select_from(EventArgument)
            .join(Event, Event.id == EventArgument.event_id).join(Coder, Coder.id == Event.coder_id)
            .join(Document, Document.id == Event.document_id).join(EventRole, EventRole.id == EventArgument.role_id)
            .join(Mention, Mention.id == EventArgument.mention_id)
        ).all()
        alice_meta = {role: text for coder, doc, role, text in args if (coder, doc) == ("alice", "meta.txt")}
        assert alice_meta == {"Actor": "Meta", "Count": "600 employees", "Affected": "AI unit",
                              "Source": "Business Insider"}
        assert ("bob", "hi.txt", "Actor", "मेटा") in args
        assert ("alice", "ar.txt", "Count", "600 موظف") in args
        modality = s.execute(
            select(Coder.name, EventType.name, EventAttributeValue.value).select_from(EventAttributeValue)
            .join(Event, Event.id == EventAttributeValue.event_id).join(Coder, Coder.id == Event.coder_id)
            .join(EventType, EventType.id == Event.event_type_id)
        ).all()
        assert sorted(modality) == [("alice", "Layoff", "reported"), ("bob", "Layoff", "asserted"),
                                    ("bob", "Layoff", "asserted")]
        certainty = s.execute(
            select(Mention.text, Attribute.name, MentionAttributeValue.value).select_from(MentionAttributeValue)
            .join(Mention, Mention.id == MentionAttributeValue.mention_id)
            .join(Attribute, Attribute.id == MentionAttributeValue.attribute_id)
        ).all()
        assert sorted(certainty) == [("600", "Certainty", "unsure"), ("600 employees", "Certainty", "sure")]
        codes = {(coders[v.coder_id], docs_by_id(docs)[v.document_id].filename, code): v.value
                 for v, code in s.execute(select(DocumentCodeValue, DocumentCode.name)
                                          .join(DocumentCode, DocumentCode.id == DocumentCodeValue.code_id))}
        assert codes == {("alice", "meta.txt", "primary_topic"): "layoffs", ("alice", "meta.txt", "tone"): "negative",
                         ("bob", "meta.txt", "primary_topic"): "layoffs",
                         ("bob", "meta.txt", "tone"): "very negative", ("alice", "ar.txt", "primary_topic"): "layoffs"}
        statuses = {(coders[st.coder_id], docs_by_id(docs)[st.document_id].filename): st.status
                    for st in s.scalars(select(DocumentStatus))}
        assert statuses == {("alice", "meta.txt"): "done", ("alice", "ar.txt"): "in_progress",
                            ("bob", "meta.txt"): "in_progress", ("bob", "hi.txt"): "done",
                            ("bob", "ar.txt"): "in_progress", ("gold", "meta.txt"): "in_progress"}
        settings = dict(s.execute(select(ProjectSetting.key, ProjectSetting.value)).all())
        assert settings == ({"blind_coding": "off"} if revision == "0003" else {})


def docs_by_id(docs: dict) -> dict:  # type: ignore[type-arg]
    return {d.id: d for d in docs.values()}


@pytest.mark.parametrize("revision", ["0002", "0003"])
def test_fixture_opens_with_every_row(tmp_path, revision):
    original = FIXTURES / f"schema-{revision}.annotary"
    before = sha(original)
    path = copy_of(revision, tmp_path)
    assert count_rows(path) == {**ROWS, **(REVIEW_ROWS[revision] if revision == "0003" else {})}
    with open_project(path) as project:
        assert migrations.current_revision(project.engine) == migrations.head()
        check_content(project, revision)
        if revision == migrations.head():
            assert project.backup_path is None
        else:
            assert project.backup_path == tmp_path / f"corpus.before-upgrade-from-{revision}.annotary"
    assert count_rows(path) == {**ROWS, **REVIEW_ROWS[revision], **NESTED_RELATION_ROWS}
    if trigram_available():  # the upgrade indexed every document's folded text
        con = sqlite3.connect(path)
        texts = dict(con.execute("SELECT id, text FROM documents").fetchall())
        con.close()
        assert indexed_texts(path) == {i: fold(t) for i, t in texts.items()}
        assert "ميتا" in indexed_texts(path)[2] and "lays off 600 employees" in indexed_texts(path)[1]
    with open_project(path) as again:
        assert again.backup_path is None
    assert len(backups(path)) == (0 if revision == migrations.head() else 1)
    assert sha(original) == before


def test_backup_of_the_old_file_is_the_old_file(tmp_path):
    path = copy_of("0002", tmp_path)
    with open_project(path) as project:
        backup = project.backup_path
    assert backup is not None
    con = sqlite3.connect(backup)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0002"
    con.close()
    assert count_rows(backup) == {**ROWS}


def _add_dangling_mention(path: Path) -> None:
    con = sqlite3.connect(path)  # foreign keys are off in a plain connection
    con.execute("INSERT INTO mentions (document_id, coder_id, entity_type_id, start, \"end\", text, note, "
                "created_at, modified_at) VALUES (1, 99, 1, 0, 4, 'Meta', '', '2026-01-01', '2026-01-01')")
    con.commit()
    con.close()


def test_failed_upgrade_leaves_the_file_byte_identical_and_one_backup(tmp_path):
    path = copy_of("0002", tmp_path)
    _add_dangling_mention(path)
    before = sha(path)
    for _attempt in range(2):
        with pytest.raises(ProjectError) as info:
            open_project(path)
        message = str(info.value)
        assert "\n" not in message
        assert "could not upgrade" in message and "the file was already damaged: mentions row " in message
        assert "coder_id 99 refers to no row of coders" in message
        assert f"a copy of it is at {tmp_path / 'corpus.before-upgrade-from-0002.annotary'}" in message
        assert sha(path) == before
        assert backups(path) == [tmp_path / "corpus.before-upgrade-from-0002.annotary"]
    con = sqlite3.connect(path)  # still usable by the old version: readable, same rows
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0002"
    assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] == ROWS["mentions"] + 1
    con.execute("DELETE FROM mentions WHERE coder_id = 99")  # repaired, the upgrade goes through
    con.commit()
    con.close()
    with open_project(path) as project:
        check_content(project, "0002")
        # the file changed since the failed attempt, so its backup is a new one
        assert project.backup_path == tmp_path / "corpus.before-upgrade-from-0002-2.annotary"


def test_a_failing_migration_then_a_good_one_write_one_backup(tmp_path, monkeypatch):
    path = copy_of("0002", tmp_path)
    before = sha(path)
    real = migrations.command.upgrade

    def upgrade_then_fail(*args, **kwargs):  # type: ignore[no-untyped-def]
        real(*args, **kwargs)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(migrations.command, "upgrade", upgrade_then_fail)
    with pytest.raises(ProjectError, match=r"could not upgrade .*\(disk on fire\); the file is unchanged"):
        open_project(path)
    assert sha(path) == before
    monkeypatch.setattr(migrations.command, "upgrade", real)
    with open_project(path) as project:
        check_content(project, "0002")
    assert backups(path) == [tmp_path / "corpus.before-upgrade-from-0002.annotary"]


_CHILD = """
import sys, time
from pathlib import Path
from app.core.project import open_project
print("ready", flush=True)
t = time.perf_counter()
open_project(Path(sys.argv[1])).close()
print(time.perf_counter() - t, flush=True)
"""


def _padded_old_copy(tmp_path: Path) -> Path:
    """The 0.1 fixture with 20 MB more, so that backup and upgrade take long enough to be hit."""
    path = copy_of("0002", tmp_path)
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE padding (x BLOB)")
    con.executemany("INSERT INTO padding VALUES (randomblob(100000))", [()] * 200)
    con.commit()
    con.close()
    return path


def _start_child(path: Path) -> subprocess.Popen:  # type: ignore[type-arg]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", _CHILD, str(path)], stdout=subprocess.PIPE, env=env, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
    return proc


def test_killed_upgrades_leave_a_usable_file(tmp_path):
    """SIGKILL the upgrading process at random moments: the file stays at the old or the new schema
    with every row, no half backup survives the next open, and one backup is kept."""
    work = tmp_path / "work"
    work.mkdir()
    pristine = _padded_old_copy(tmp_path)
    shutil.copyfile(pristine, work / "timing.annotary")
    proc = _start_child(work / "timing.annotary")
    duration = float(proc.communicate()[0])
    assert proc.returncode == 0
    rng = random.Random(8)
    outcomes = []
    for _ in range(8):
        for leftover in work.iterdir():
            leftover.unlink()
        path = work / "corpus.annotary"
        shutil.copyfile(pristine, path)
        proc = _start_child(path)
        time.sleep(rng.uniform(0, duration * 1.2))
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
        con = sqlite3.connect(path)
        version = con.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        con.close()
        outcomes.append((version, [p.name.split(".", 1)[1] for p in work.iterdir() if p != path]))
        assert version in ("0002", migrations.head())  # all the upgrade steps commit at once
        with open_project(path) as project:
            check_content(project, "0002")
        assert count_rows(path) == {**ROWS, **REVIEW_ROWS["0002"], **NESTED_RELATION_ROWS, "padding": 200}
        assert not [p for p in work.iterdir() if ".partial" in p.name]
        assert len(backups(path)) == 1
    print(f"upgrade took {duration:.3f} s; after each kill:", outcomes)


_CHILD_HANGS_BEFORE_COMMIT = """
import sys, time
from pathlib import Path
from app.core import migrations
from app.core.project import open_project
real = migrations.command.upgrade
def upgrade_then_hang(*args, **kwargs):
    real(*args, **kwargs)
    print("migrated", flush=True)
    time.sleep(60)
migrations.command.upgrade = upgrade_then_hang
open_project(Path(sys.argv[1]))
"""


def test_killed_after_migrating_before_commit(tmp_path):
    """The moment the random kills rarely hit: every migration step done, the commit not yet."""
    path = copy_of("0002", tmp_path)
    before = sha(path)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, "-c", _CHILD_HANGS_BEFORE_COMMIT, str(path)], stdout=subprocess.PIPE,
                            env=env, text=True)
    assert proc.stdout is not None and proc.stdout.readline() == "migrated\n"
    assert Path(f"{path}-wal").exists()  # the upgrade's changes sit uncommitted in the WAL
    proc.send_signal(signal.SIGKILL)
    proc.communicate()
    con = sqlite3.connect(path)
    assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0002"
    con.close()
    assert sha(path) == before
    with open_project(path) as project:
        check_content(project, "0002")
    assert backups(path) == [tmp_path / "corpus.before-upgrade-from-0002.annotary"]


def test_stale_partial_backup_is_removed_when_the_file_is_current(tmp_path):
    path = copy_of("0003", tmp_path)
    with open_project(path) as project:  # the fixture upgraded: a file at the current schema
        assert project.backup_path is not None
    project.backup_path.unlink()
    stale = tmp_path / "corpus.before-upgrade-from-0002.annotary.partial"
    stale.write_bytes(b"half")
    (tmp_path / "corpus.before-upgrade-from-0002.annotary.partial-journal").write_bytes(b"x")
    other = tmp_path / "other.before-upgrade-from-0002.annotary.partial"
    other.write_bytes(b"not ours")
    open_project(path).close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus.annotary", other.name]


@pytest.mark.parametrize("keep", [0.5, 0.9])
def test_truncated_project_is_a_one_line_error(tmp_path, keep):
    path = copy_of("0003", tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(ProjectError) as info:
        open_project(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path} is damaged (") and message.endswith("restore it from a backup")


def test_scribbled_schema_page_is_a_one_line_error(tmp_path):
    path = copy_of("0003", tmp_path)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the rest of page 1: the schema table's root
    path.write_bytes(bytes(data))
    with pytest.raises(ProjectError, match=rf"^{path} is damaged \(.*\); restore it from a backup$"):
        open_project(path)


@pytest.mark.parametrize("revision", ["0002", "0003"])
def test_typed_note_lines_of_an_older_file_move_to_their_table(tmp_path, revision):
    """The previous release kept a brat note of another type as a line "[Lemma] text" of the note
    (and an AnnotatorNotes text that looked so as "[AnnotatorNotes] text"): the upgrade moves them."""
    from app.core.interchange.brat import export_brat
    from app.core.models import AnnotationNote

    path = copy_of(revision, tmp_path)
    con = sqlite3.connect(path)
    mention_id, event_id = con.execute("SELECT min(id) FROM mentions").fetchone()[0], \
        con.execute("SELECT min(id) FROM events").fetchone()[0]
    con.execute("UPDATE mentions SET note = ? WHERE id = ?",
                ("[Lemma] meta\nchecked twice\n[AnnotatorNotes] [x] looks typed\n[Source] wire", mention_id))
    con.execute("UPDATE events SET note = ? WHERE id = ?", ("[Lemma] lay off", event_id))
    con.commit()
    con.close()
    with open_project(path) as project:
        with project.read() as s:
            notes = sorted(((n.mention_id or 0), (n.event_id or 0), n.type, n.text)
                           for n in s.scalars(select(AnnotationNote)))
            mention_note = s.get_one(Mention, mention_id).note
            event_note = s.get_one(Event, event_id).note
        export_brat(project, tmp_path / "out")
    assert notes == sorted([(mention_id, 0, "Lemma", "meta"), (mention_id, 0, "Source", "wire"),
                            (0, event_id, "Lemma", "lay off")])
    assert mention_note == "checked twice\n[x] looks typed" and event_note == ""
    written = "".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out").glob("*.ann"))
    for line in ("\tLemma T", "\tSource T", "\tAnnotatorNotes T"):
        assert line in written
    assert "\t[x] looks typed\n" in written and "[Lemma]" not in written and "[AnnotatorNotes]" not in written
