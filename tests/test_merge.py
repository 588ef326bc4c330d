"""Merging coders' copies: matched by text, coder identity kept, idempotent, codebook conflicts refused."""

import shutil

import pytest
import yaml
from sqlalchemy import func, select

from app.core.codebook import codebook_to_dict, load_codebook
from app.core.errors import AnnotaryError
from app.core.models import Coder, DocumentCodeValue, Event, EventArgument, Mention
from app.core.paths import default_codebook_path
from app.core.project import open_project
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace

pytestmark = pytest.mark.both_backends  # the project fixtures run on SQLite and on PostgreSQL


def _code(path, coder, doc_id=5):
    with open_project(path) as project:
        ws = Workspace(project, coder)
        text = ws.document_text(doc_id)
        types = {t.name: t.id for t in ws.codebook.entity_types}
        meta = ws.tag(doc_id, text, text.index("Meta"), text.index("Meta") + 4, types["Organization"]).mention_id
        count = text.index("ثمانية باحثين")
        eight = ws.tag(doc_id, text, count, count + len("ثمانية باحثين"), types["Quantity"]).mention_id
        poach = next(t for t in ws.codebook.event_types if t.name == "Hiring/Poaching offer")
        roles = {r.name: r.id for r in poach.roles}
        ev = ws.create_event(doc_id, poach.id).event_id
        ws.add_argument(ev, roles["Actor"], meta)
        ws.add_argument(ev, roles["Affected"], eight)
        ws.set_event_attribute(ev, ws.codebook.event_attributes[0].id, "reported")
        tone = next(c for c in ws.codebook.document_codes if c.name == "tone")
        ws.set_document_code(doc_id, tone.id, "negative")


def _counts(path):
    with open_project(path) as p, p.read() as s:
        return {
            "mentions": s.scalar(select(func.count()).select_from(Mention)),
            "events": s.scalar(select(func.count()).select_from(Event)),
            "args": s.scalar(select(func.count()).select_from(EventArgument)),
            "codes": s.scalar(select(func.count()).select_from(DocumentCodeValue)),
            "coders": sorted(s.scalars(select(Coder.name))),
        }


@pytest.fixture
def copies(tmp_path):
    lead = tmp_path / "lead.annotary"
    init_project(lead).close()
    alice = tmp_path / "alice-copy.annotary"
    bob = tmp_path / "renamed" / "bob.annotary"
    bob.parent.mkdir()
    shutil.copy(lead, alice)
    shutil.copy(lead, bob)
    _code(alice, "alice")
    _code(bob, "bob")
    return lead, alice, bob


def test_merge_keeps_coders_and_is_idempotent(copies):
    from app.core.services.merge import merge_project

    lead, alice, bob = copies
    with open_project(lead) as project:
        first = merge_project(project, alice)
        merge_project(project, bob)
        again = merge_project(project, alice)
    assert first.documents_matched == 5 and first.mentions_added == 2 and first.events_added == 1
    assert again.mentions_added == again.events_added == again.codes_added == 0
    assert again.skipped_identical == 4  # 2 mentions, 1 event, 1 code value
    assert _counts(lead) == {"mentions": 4, "events": 2, "args": 4, "codes": 2, "coders": ["alice", "bob"]}
    with open_project(lead) as p, p.read() as s:
        for m in s.scalars(select(Mention)):
            from app.core.models import Document

            assert s.get(Document, m.document_id).text[m.start:m.end] == m.text


def test_documents_matched_by_text_not_file_name(copies, tmp_path):
    from app.core.services.merge import merge_project

    lead, alice, _ = copies
    with open_project(alice) as p, p.uow() as s:
        from app.core.models import Document

        for d in s.scalars(select(Document)):
            d.filename = "renamed-" + d.filename
    with open_project(lead) as project:
        report = merge_project(project, alice)
    assert report.documents_matched == 5 and report.mentions_added == 2


def test_documents_only_in_the_other_project_are_reported_or_imported(copies, tmp_path):
    from app.core.services.merge import merge_project

    lead, _alice, _ = copies
    other = tmp_path / "other.annotary"
    with init_project(other, empty=True) as p, p.uow() as s:
        from app.core.services.documents import add_document

        add_document(s, "Scale AI ने इस हफ्ते अपने Dallas ऑफिस की टीम को हटा दिया", "new.txt")
    with open_project(lead) as project:
        report = merge_project(project, other)
        assert report.documents_only_there and report.documents_imported == 0
        report = merge_project(project, other, import_missing=True)
        assert report.documents_imported == 1


def test_conflicting_codebook_is_refused_unless_accepted(copies, tmp_path):
    from app.core.codebook import apply_codebook
    from app.core.services.merge import merge_project

    lead, alice, _ = copies
    data = codebook_to_dict(load_codebook(default_codebook_path()))
    data["entity_types"].append({"name": "Union", "color": "#123456", "definition": "A trade union."})
    data["attributes"][0]["values"].append("rumoured")
    cb = tmp_path / "cb.yaml"
    cb.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with open_project(alice) as p, p.uow() as s:
        apply_codebook(s, load_codebook(cb))
    before = _counts(lead)
    with open_project(lead) as project, pytest.raises(AnnotaryError, match=r"entity type 'Union' is missing.*other values \(rumoured\)"):
        merge_project(project, alice)
    assert _counts(lead) == before
    with open_project(lead) as project:
        report = merge_project(project, alice, accept_codebook=True)
        with project.read() as s:
            from app.core.codebook import read_codebook

            spec = read_codebook(s)
    assert spec.entity_type("Union") is not None and "rumoured" in spec.attribute("Modality").values
    assert report.mentions_added == 2


def test_merge_cli(copies, capsys):
    from app.cli import main

    lead, alice, _bob = copies
    assert main(["merge", str(alice), "--project", str(lead)]) == 0
    out = capsys.readouterr().out
    assert "5 document(s) matched by text" in out and "coders: alice" in out
    assert main(["merge", str(lead), "--project", str(lead)]) == 1
    assert "into itself" in capsys.readouterr().err


# --- a tampered or malformed copy is refused in one line; nothing is written, neither file changes ---

import hashlib  # noqa: E402
import os  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

FIRST_MENTION = "(SELECT min(id) FROM mentions)"
TAMPERED = {
    "past_end": (f'UPDATE mentions SET "end" = 9000 WHERE id = {FIRST_MENTION}',
                 r"mentions row \d+: mention end 9000 is past the end of document 5 \(\d+ characters\)"),
    "text_not_slice": (f"UPDATE mentions SET text = 'Google' WHERE id = {FIRST_MENTION}",
                       r"mentions row \d+: mention text 'Google' is not the text at \d+-\d+ of document 5"),
    "code_value_not_in_codebook": ("UPDATE document_code_values SET value = 'furious'",
                                   r"document_code_values row \d+: 'furious' is not a value of tone"),
    "attribute_value_not_in_codebook": ("UPDATE event_attribute_values SET value = 'invented'",
                                        r"event_attribute_values row \d+: 'invented' is not a value of"),
    "inf_interval_value": (
        "INSERT INTO document_codes (id, name, level, definition, values_json, position) "
        "VALUES (77, 'score', 'interval', '', '[]', 9); "
        "INSERT INTO document_code_values (id, document_id, coder_id, code_id, value, created_at, modified_at) "
        "SELECT 88, 5, id, 77, '1e400', '2026-01-01 00:00:00', '2026-01-01 00:00:00' FROM coders LIMIT 1",
        r"document_code_values row 88: score \(interval\) takes a finite number, not '1e400'"),
    "dangling_document": (f"UPDATE mentions SET document_id = 99999 WHERE id = {FIRST_MENTION}",
                          r"mentions row \d+: document_id 99999 refers to no row of documents"),
    "dangling_role": ("UPDATE event_arguments SET role_id = 99999",
                      r"event_arguments row \d+: role_id 99999 refers to no row of event_roles"),
    "missing_table": ("DROP TABLE document_status", r"table document_status is missing"),
    "wrong_type": (f"UPDATE mentions SET start = 'abc' WHERE id = {FIRST_MENTION}",
                   r"mentions row \d+: start has a value of the wrong kind \('abc'\)"),
    "document_text_changed": ("UPDATE documents SET text = text || ' more' WHERE id = 5",
                              r"documents row 5: the text does not match its checksum"),
    "argument_from_another_document": (
        f"UPDATE mentions SET document_id = 1 WHERE id = {FIRST_MENTION}",
        r"mentions row \d+: .*document 1|event_arguments row \d+: mention \d+ is not in the document"),
    "newer_schema": ("UPDATE alembic_version SET version_num = '9999_future'",
                     r"was made by a newer Annotary \(schema 9999_future\)"),
}


def _sha(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _tamper(path, script):
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA foreign_keys=OFF")
        con.execute("PRAGMA ignore_check_constraints=ON")
        con.executescript(script)
        con.commit()
    finally:
        con.close()


def _cli(*args):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    return subprocess.run([sys.executable, "-m", "app", *map(str, args)], capture_output=True, text=True, env=env,
                          timeout=120)


def _refused(lead, other, pattern):
    """Merge `other` into `lead` via the CLI: exit 1, one error line matching, both files and folders unchanged."""
    folders = {p.parent: sorted(p.parent.iterdir()) for p in (Path(lead), Path(other))}
    before = (_sha(lead), _sha(other))
    proc = _cli("merge", other, "--project", lead)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("annotary: error: "), proc.stderr
    assert "Traceback" not in proc.stderr and "unexpected" not in proc.stderr
    import re

    assert re.search(pattern, lines[0]), lines[0]
    assert (_sha(lead), _sha(other)) == before
    assert {p: sorted(p.iterdir()) for p in folders} == folders  # no backup, no -wal left behind
    return lines[0]


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_tampered_copy_is_refused_in_one_line_and_nothing_changes(copies, case):
    lead, alice, _ = copies
    script, pattern = TAMPERED[case]
    _tamper(alice, script)
    line = _refused(lead, alice, pattern)
    assert str(alice) in line


def test_truncated_and_non_project_files_are_refused(copies, tmp_path):
    lead, alice, _ = copies
    truncated = tmp_path / "truncated.annotary"
    truncated.write_bytes(alice.read_bytes()[: alice.stat().st_size // 2])
    _refused(lead, truncated, "truncated.annotary is damaged")
    text = tmp_path / "notes.annotary"
    text.write_text("not a database at all\n" * 20, encoding="utf-8")
    _refused(lead, text, "is not an Annotary project")
    proc = _cli("merge", tmp_path / "missing.annotary", "--project", lead)
    assert proc.returncode == 1 and proc.stderr.count("\n") == 1 and "no project at" in proc.stderr


def test_merging_the_project_into_itself_by_another_name_is_refused(copies, tmp_path):
    lead, _, _ = copies
    link = tmp_path / "link.annotary"
    link.symlink_to(lead)
    _refused(lead, link, "cannot merge a project into itself")
    link.unlink()
    hard = tmp_path / "hard.annotary"
    os.link(lead, hard)
    _refused(lead, hard, "cannot merge a project into itself")


def test_an_older_schema_copy_is_merged_without_touching_it(copies, tmp_path):
    from app.core import migrations
    from app.core.project import APPLICATION_ID, make_engine

    lead, _, _ = copies
    old = tmp_path / "old" / "old.annotary"
    old.parent.mkdir()
    engine = make_engine(old)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    migrations.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO coders (name, created_at) VALUES ('carol', '2026-01-01 00:00:00')")
    engine.dispose()
    before, listing = _sha(old), sorted(old.parent.iterdir())
    proc = _cli("merge", old, "--project", lead)
    assert proc.returncode == 0, proc.stderr
    assert _sha(old) == before and sorted(old.parent.iterdir()) == listing
    assert "carol" in _counts(lead)["coders"]


def test_a_refused_copy_leaves_gold_and_agreement_working(copies, tmp_path):
    """What a bad copy would have put in (and `gold accept-agreements` copied on) never gets in."""
    lead, alice, bob = copies
    carol = tmp_path / "carol.annotary"
    shutil.copy(lead, carol)  # the lead is still uncoded: a fresh copy for a third coder
    _code(carol, "carol")
    for good in (bob, carol):
        assert _cli("merge", good, "--project", lead).returncode == 0
    _tamper(alice, f'UPDATE mentions SET "end" = 9000 WHERE id = {FIRST_MENTION}')
    _refused(lead, alice, "past the end")
    assert _counts(lead)["coders"] == ["bob", "carol"]
    assert _cli("agreement", "--project", lead).returncode == 0
    proc = _cli("gold", "accept-agreements", "--project", lead)
    assert proc.returncode == 0, proc.stderr
    with open_project(lead) as p, p.read() as s:
        from app.core.models import Document

        for m in s.scalars(select(Mention)):
            assert s.get(Document, m.document_id).text[m.start:m.end] == m.text


def test_copy_with_names_in_another_unicode_form_merges_onto_the_same_types(copies):
    import unicodedata

    from app.core.codebook import read_codebook
    from app.core.services.merge import merge_project

    lead, alice, _ = copies
    composed, decomposed = "Organización", unicodedata.normalize("NFD", "Organización")
    assert composed != decomposed
    _tamper(lead, f"UPDATE entity_types SET name = '{composed}' WHERE name = 'Organization'")
    _tamper(alice, f"UPDATE entity_types SET name = '{decomposed}' WHERE name = 'Organization'")
    with open_project(lead) as project:
        report = merge_project(project, alice)
        with project.read() as s:
            names = [t.name for t in read_codebook(s).entity_types]
    assert report.mentions_added == 2 and not report.codebook_added
    assert names.count(composed) == 1 and decomposed not in names


def _rehash(path, doc_id):
    """Keep a tampered document's checksum and length consistent, as a careful forger would."""
    from app.core.text import sha256_text

    con = sqlite3.connect(path)
    try:
        (text,) = con.execute("SELECT text FROM documents WHERE id = ?", (doc_id,)).fetchone()
        con.execute("UPDATE documents SET sha256 = ?, chars = ? WHERE id = ?", (sha256_text(text), len(text), doc_id))
        con.commit()
    finally:
        con.close()


@pytest.mark.parametrize("script, pattern", [
    ("UPDATE documents SET text = text || 'x' || char(0) || 'y' WHERE id = 2",
     r"alice-copy\.annotary: documents row 2: binary the text \(contains NUL characters\)"),
    ("UPDATE documents SET text = text || replace(hex(zeroblob(40)), '00', char(1)) WHERE id = 2",
     r"documents row 2: binary the text \(too many control characters\)"),
    ("UPDATE documents SET title = 'two' || char(10) || 'lines' WHERE id = 2",
     r"documents row 2: the title holds a NUL or a line break"),
    ("UPDATE documents SET filename = '../../etc/passwd' WHERE id = 2",
     r"documents row 2: the file name '\.\./\.\./etc/passwd' holds a folder separator"),
    ("UPDATE documents SET language = 'zz' || char(27) WHERE id = 2",
     r"documents row 2: language .* is not a language code"),
    ("UPDATE documents SET source_encoding = 'rot13' WHERE id = 2",
     r"documents row 2: source encoding: unknown text encoding 'rot13'"),
    ("UPDATE coders SET name = 'eve' || char(27) || '[2J' WHERE name = 'alice'",
     r"coders row \d+: the coder name .* contains a control character \(U\+001B\)"),
])
def test_documents_and_coders_pass_the_checks_of_every_other_door(copies, script, pattern):
    lead, alice, _ = copies
    _tamper(alice, script)
    _rehash(alice, 2)
    _refused(lead, alice, pattern)


def test_a_coder_named_in_another_case_or_form_is_the_same_coder(copies, tmp_path):
    import unicodedata

    lead, alice, _bob = copies
    assert _cli("merge", alice, "--project", lead).returncode == 0
    shouting = tmp_path / "shouting.annotary"
    shutil.copy(alice, shouting)
    _tamper(shouting, "UPDATE coders SET name = 'ALICE' WHERE name = 'alice'")
    proc = _cli("merge", shouting, "--project", lead)
    assert proc.returncode == 0, proc.stderr
    with open_project(lead) as p, p.read() as s:
        assert sorted(s.scalars(select(Coder.name))) == ["alice"]
        assert s.scalar(select(func.count()).select_from(Mention)) == 2  # nothing added twice
    decomposed = unicodedata.normalize("NFD", "José")
    with open_project(lead) as p, p.uow() as s:
        from app.core.services.coders import get_or_create_coder

        first = get_or_create_coder(s, "José").id
        assert get_or_create_coder(s, decomposed).id == first
        assert get_or_create_coder(s, "JOSÉ").id == first


def test_a_type_spelled_in_another_case_in_the_copy_is_our_type(copies, tmp_path):
    """Names are compared casefolded: the copy's ORGANIZATION mentions merge as our Organization."""
    lead, alice, _ = copies
    _tamper(alice, "UPDATE entity_types SET name = 'ORGANIZATION' WHERE name = 'Organization'")
    proc = _cli("merge", alice, "--project", lead)
    assert proc.returncode == 0, proc.stderr
    with open_project(lead) as p, p.read() as s:
        from app.core.models import EntityType

        names = set(s.scalars(select(EntityType.name)))
        assert "ORGANIZATION" not in names
        typed = s.execute(select(Mention.text, EntityType.name).join(EntityType)).all()
    assert ("Meta", "Organization") in typed
