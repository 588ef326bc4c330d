"""The document list's filter finds documents by their text (app/core/search_index.py), the way the
reader's Find compares: Arabic without harakat or tatweel, Latin without case, any part of a word."""

import json
import shutil
from pathlib import Path

import pytest

from app.core import migrations, search_index
from app.core.find import fold
from app.core.project import open_project
from app.core.search_index import FTS_TABLE, SOURCES_TABLE, drop_search_index, sync_search_index
from app.core.services.documents import import_file
from app.core.services.merge import merge_project
from app.core.services.project_check import check_project
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace

FIXTURES = Path(__file__).resolve().parent / "data" / "projects"

TEXTS = {
    "ar.txt": "خبر عاجل\nقالت الشركة إنَّ المِلْيارَ دولار ذهبت إلى الذكاءِ الاصطنـاعي.",
    "hi.txt": "समाचार\nमेटा ने छंटनी की घोषणा की और 600 कर्मचारी निकाले।",
    "en.txt": "Layoffs\nScale AI LAID OFF 14% of its staff (NEAR Dallas) after a \"restructuring\" * plan_b.",
    "mixed.txt": "Notes\nback\\slash and it's a 50/50 call; الاصطناعي مرة أخرى.",
}
needs_fts = pytest.mark.skipif(not search_index.trigram_available(), reason="this SQLite has no FTS5 trigram tokenizer")


pytestmark = pytest.mark.both_backends


@pytest.fixture
def project(request, tmp_path, project_backend):
    """A project whose documents came in through the import (so the index holds them all)."""
    address = request.getfixturevalue("pg_url") if project_backend == "postgresql" else tmp_path / "search.annotary"
    project = init_project(address, empty=True)
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in TEXTS.items():
        (folder / name).write_text(text, encoding="utf-8")
        assert import_file(project, folder / name).status == "imported"
    yield project
    project.close()


def ids_by_name(project):  # type: ignore[no-untyped-def]
    with project.engine.connect() as conn:
        return dict(conn.exec_driver_sql("SELECT filename, id FROM documents").all())


def found(project, query: str) -> list[int]:  # type: ignore[no-untyped-def]
    ws = Workspace(project, "alice")
    rows = ws.document_rows(0, 1000, query)
    assert ws.count_documents(query) == len(rows)
    return [r.id for r in rows]


def expected(project, query: str) -> list[int]:  # type: ignore[no-untyped-def]
    """What the filter must find, computed plainly in Python: title or file name containing the query
    (ASCII case ignored, as SQL's LIKE), the language named, or the folded text containing it."""
    with project.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, title, filename, language, text FROM documents ORDER BY id").all()
    needle = fold(query)

    def like(value: str) -> bool:
        return query.lower() in value.lower() if query.isascii() else query in value

    return [i for i, title, filename, language, text in rows
            if like(title) or like(filename) or language == query.lower() or (needle and needle in fold(text))]


def index_rows(project) -> int:  # type: ignore[no-untyped-def]
    with project.engine.connect() as conn:
        return conn.exec_driver_sql(f"SELECT count(*) FROM {SOURCES_TABLE}").scalar()


def insert_raw(project, text: str, sha: str, doc_id: int | None = None) -> None:  # type: ignore[no-untyped-def]
    """A document written by another program: plain SQL, no index update."""
    from sqlalchemy import text as sql

    given = {"id": doc_id} if doc_id is not None else {}
    columns = "".join(f"{k}, " for k in given)
    with project.engine.begin() as conn:
        conn.execute(sql(f"INSERT INTO documents ({columns}title, filename, language, direction, source_encoding, "
                         "chars, sha256, text, imported_at) VALUES (" + "".join(f":{k}, " for k in given)
                         + "'Elsewhere', 'other.txt', 'en', 'ltr', 'utf-8', :chars, :sha, :text, "
                         "'2026-01-01 00:00:00')"), {**given, "chars": len(text), "sha": sha, "text": text})


def delete_raw(project, doc_id: int) -> None:  # type: ignore[no-untyped-def]
    with project.engine.begin() as conn:
        conn.exec_driver_sql(f"DELETE FROM documents WHERE id = {int(doc_id)}")


@needs_fts
def test_every_import_indexes_its_document(project):
    assert index_rows(project) == len(TEXTS)
    with project.engine.connect() as conn:
        folded = dict(conn.exec_driver_sql(f"SELECT rowid, folded FROM {FTS_TABLE}").all())
    assert folded[ids_by_name(project)["ar.txt"]] == fold(TEXTS["ar.txt"])
    assert "laid off" in folded[ids_by_name(project)["en.txt"]]


def test_arabic_without_harakat_or_tatweel_finds_text_with_them(project):
    ar = ids_by_name(project)["ar.txt"]
    assert found(project, "مليار") == [ar]  # the text has المِلْيارَ
    assert found(project, "الاصطناعي") == [ar, ids_by_name(project)["mixed.txt"]]  # ar has الاصطنـاعي
    assert found(project, "الذكاء") == [ar]


def test_hindi_substring(project):
    hi = ids_by_name(project)["hi.txt"]
    assert found(project, "छंटनी") == [hi]
    assert found(project, "घोष") == [hi]  # the start of घोषणा
    assert found(project, "छंटनी की") == [hi]


def test_english_ignores_case_and_finds_part_of_a_word(project):
    en = ids_by_name(project)["en.txt"]
    assert found(project, "laid off") == [en]
    assert found(project, "Laid Off 14") == [en]
    assert found(project, "structur") == [en]
    assert found(project, "laid offf") == []


def test_two_character_queries(project):
    names = ids_by_name(project)
    assert found(project, "مل") == expected(project, "مل") == [names["ar.txt"]]  # مِلْ in the text
    assert found(project, "50") == [names["mixed.txt"]]
    assert found(project, "Ff") == [names["en.txt"]]
    assert found(project, "ं") == [names["hi.txt"]]  # one character: a plain scan too


def test_title_file_name_and_language_still_match(project):
    names = ids_by_name(project)
    assert found(project, "Layoffs") == [names["en.txt"]]  # the title
    assert found(project, "hi.txt") == [names["hi.txt"]]
    assert names["ar.txt"] in found(project, "AR") == expected(project, "AR")  # the language (and texts)
    assert found(project, "ar.txt") == [names["ar.txt"]]


@pytest.mark.parametrize("query", [
    "%", "_", "14%", "plan_b", '"', '"restructuring"', "*", "a*", "NEAR", "(NEAR Dallas)", "(", ")", "OR", "AND",
    "NOT", "^", "-", ":", "staff (", "\\", "back\\slash", "it's", "'", "50/50", "a\"b", "{x}", "[1]", "NEAR(a b)",
    "laid AND off", "\u0651", "ـ", " ", "\n",
])
def test_query_syntax_is_matched_literally_and_never_raises(project, query):
    assert found(project, query) == expected(project, query)


def test_results_page_in_id_order(project):
    ws = Workspace(project, "alice")
    everything = [r.id for r in ws.document_rows(0, 100, "ا")]
    assert everything == sorted(everything) and len(everything) == 2
    assert [r.id for r in ws.document_rows(1, 1, "ا")] == everything[1:2]
    assert ws.count_documents("ا") == 2


def test_documents_another_program_inserted_are_found_without_writing(project):
    before = index_rows(project)
    insert_raw(project, "A memo: Meta cuts 7,000 jobs in its MILLIARD unit", "other-sha")
    for query in ("milliard", "7,000 jobs", "ts", "memo", "laid off", "مليار"):
        assert found(project, query) == expected(project, query)
    assert 5 in found(project, "Milliard Unit")
    assert index_rows(project) == before  # searching wrote nothing


@needs_fts
def test_a_sync_adds_what_is_missing_and_drops_what_is_gone(project):
    insert_raw(project, "A memo about the MILLIARD unit", "other-sha")
    with project.uow() as session:
        assert sync_search_index(session) == 1
    assert index_rows(project) == len(TEXTS) + 1 and found(project, "milliard") == [5]
    delete_raw(project, 5)  # another program deletes it and reuses its id for another text
    insert_raw(project, "Nothing about money here", "third-sha", doc_id=5)
    assert found(project, "milliard") == [] and found(project, "money") == [5]  # the stale row is not trusted
    with project.uow() as session:
        assert sync_search_index(session) == 1
    assert found(project, "milliard") == [] and found(project, "money") == [5]
    delete_raw(project, 5)
    with project.uow() as session:
        sync_search_index(session)
    assert index_rows(project) == len(TEXTS)
    assert found(project, "money") == []


def test_a_project_never_synced_is_searched_by_a_scan(seeded_project):
    """The seed import does not sync: the index is absent, the results are the same."""
    for query in ("Meta", "ميتا", "छंटनी", "ai", "Zuckerberg", "%", "zzz"):
        assert found(seeded_project, query) == expected(seeded_project, query)
    assert found(seeded_project, "zuckerberg")


@needs_fts
def test_the_index_gives_what_a_scan_gives(seeded_project):
    queries = ("Meta", "ميتا", "छंटनी", "ai", "zuckerberg", "laid", "الشركة", "कर्मचारी", "the ", "%", "e")
    indexed = {q: found(seeded_project, q) for q in queries}  # a new project's seeds are indexed
    with seeded_project.uow() as session:
        assert session.connection().exec_driver_sql(f"SELECT count(*) FROM {FTS_TABLE}").scalar() == 5
        drop_search_index(session)
    scanned = {q: found(seeded_project, q) for q in queries}
    with seeded_project.uow() as session:
        assert sync_search_index(session) == 5
    assert {q: found(seeded_project, q) for q in queries} == scanned == indexed
    assert all(scanned[q] for q in ("Meta", "ميتا", "छंटनी", "zuckerberg"))


def test_without_trigram_support_nothing_is_created_and_search_scans(tmp_path, monkeypatch):
    monkeypatch.setattr(search_index, "trigram_available", lambda: False)
    project = init_project(tmp_path / "plain.annotary", empty=True)
    try:
        (tmp_path / "a.txt").write_text("Title\nقالت الشركة إنَّ المِلْيارَ", encoding="utf-8")
        import_file(project, tmp_path / "a.txt")
        with project.engine.connect() as conn:
            assert not search_index.index_exists(conn)
        assert found(project, "مليار") == [1] and found(project, "مل") == [1]
    finally:
        project.close()


@needs_fts
@pytest.mark.parametrize("revision", ["0002", "0003"])
def test_upgrading_an_old_project_fills_the_index(tmp_path, revision):
    path = tmp_path / "old.annotary"
    shutil.copyfile(FIXTURES / f"schema-{revision}.annotary", path)
    with open_project(path) as project:
        assert project.backup_path is not None
        assert migrations.current_revision(project.engine) == migrations.head()
        assert index_rows(project) == 3
        with project.engine.connect() as conn:
            ok = conn.exec_driver_sql(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH '\"ميتا\"'").scalars()
            assert list(ok) == [ids_by_name(project)["ar.txt"]]
        assert found(project, "LAYS OFF") == [ids_by_name(project)["meta.txt"]]
        assert found(project, "कर्मचारियों") == [ids_by_name(project)["hi.txt"]]
        check_project(project)  # `annotary check`: the index tables upset nothing


def test_a_fresh_project_with_its_index_passes_the_check(project):
    check_project(project)


def _current_copy(revision: str, tmp_path: Path) -> Path:
    copy = tmp_path / f"alice-{revision}.annotary"
    shutil.copyfile(FIXTURES / f"schema-{revision}.annotary", copy)
    with open_project(copy) as upgraded:
        assert upgraded.backup_path is not None
    return copy


@pytest.mark.parametrize("upgraded", [False, True], ids=["copy-made-before-the-upgrade", "copy-upgraded"])
@pytest.mark.parametrize("revision", ["0002", "0003"])
def test_merging_a_coders_copy_indexes_its_documents(empty_project, tmp_path, revision, upgraded):
    if upgraded:
        source = _current_copy(revision, tmp_path)
    else:
        source = tmp_path / "alice.annotary"
        shutil.copyfile(FIXTURES / f"schema-{revision}.annotary", source)
    report = merge_project(empty_project, source, accept_codebook=True, import_missing=True)
    assert report.documents_imported == 3 and report.mentions_added == 12
    if search_index.trigram_available():
        assert index_rows(empty_project) == 3
    assert found(empty_project, "ميتا") == [ids_by_name(empty_project)["ar.txt"]]
    assert found(empty_project, "business insider") == [ids_by_name(empty_project)["meta.txt"]]
    check_project(empty_project)
    again = merge_project(empty_project, source, accept_codebook=True, import_missing=True)
    assert again.documents_imported == 0 and again.mentions_added == 0


@needs_fts
def test_a_doccano_import_indexes_its_documents(empty_project, tmp_path):
    from app.core.interchange.doccano import import_doccano

    path = tmp_path / "in.jsonl"
    records = [{"text": "Meta يُسَرِّح 600 موظف", "label": []}, {"text": "छंटनी की घोषणा", "label": []}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8")
    import_doccano(empty_project, path, "alice")
    assert index_rows(empty_project) == 2
    assert found(empty_project, "يسرح") == [1] and found(empty_project, "छंटनी") == [2]
