"""The index behind the document list's text filter: an SQLite FTS5 table of folded document texts.

Two tables, both outside the ORM models (alembic revision 0004 creates them; so does the
first `sync_search_index` of a project created at the newest schema):

- ``document_search``: FTS5 with the trigram tokenizer (any substring of three or more
  characters is found through the index), one row per document, rowid = the document's id,
  holding the text *folded* the way the reader's Find folds it (`app.core.find.fold`:
  NFC, Arabic harakat and tatweel removed, case folded). Folding is Python, so no SQL
  trigger can keep the table up to date;
- ``document_search_sources``: which document text each FTS row was made from (id and
  SHA-256). It is small, so telling which documents the index lacks costs a few index
  pages, never a read of the texts.

Paths that add documents call `sync_search_index` in their own transaction. Searching never
writes: documents the index lacks (added by another program, or before any sync) are
searched by folding their text in Python, so results are complete either way. Without FTS5
trigram support nothing is created and every search is a scan.

On PostgreSQL (a project on a server) the same two tables are plain tables: ``document_search``
(rowid, folded) is searched with LIKE on the folded text, through a pg_trgm trigram index when
that extension can be had; documents the index lacks are folded in Python in this process (there
is no Python function inside the server), so results are the same as on SQLite.
"""

from __future__ import annotations

import sqlite3
from functools import lru_cache

from sqlalchemy import (
    Connection,
    column,
    delete,
    false,
    func,
    insert,
    inspect,
    literal,
    select,
    table,
)
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from app.core.find import fold
from app.core.models import Document

FTS_TABLE = "document_search"
SOURCES_TABLE = "document_search_sources"
MIN_INDEXED_QUERY = 3
"""Trigrams: a folded query shorter than this is looked for by a scan of the folded texts."""

_fts = table(FTS_TABLE, column("rowid"), column("folded"))
_sources = table(SOURCES_TABLE, column("id"), column("sha256"))
_CONTAINS = "annotary_folded_contains"
_BATCH = 200  # documents folded and inserted at a time (bounds the memory a sync holds)


def is_search_table(name: str) -> bool:
    """Whether a table belongs to the search index (FTS5 adds shadow tables named after its table)."""
    return name == FTS_TABLE or name.startswith(FTS_TABLE + "_")


@lru_cache(maxsize=1)
def trigram_available() -> bool:
    """Whether this SQLite has FTS5 with the trigram tokenizer (3.34 and later, built with FTS5)."""
    probe = sqlite3.connect(":memory:")
    try:
        probe.execute("CREATE VIRTUAL TABLE t USING fts5(x, tokenize='trigram case_sensitive 1')")
        return True
    except sqlite3.Error:
        return False
    finally:
        probe.close()


def _connection(bind: Session | Connection) -> Connection:
    return bind.connection() if isinstance(bind, Session) else bind


def _on_postgresql(conn: Connection) -> bool:
    return conn.dialect.name == "postgresql"


def index_exists(conn: Connection) -> bool:
    if _on_postgresql(conn):
        tables = set(inspect(conn).get_table_names())
        return {FTS_TABLE, SOURCES_TABLE} <= tables
    if conn.dialect.name != "sqlite":
        return False
    names = set(conn.exec_driver_sql(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN (?, ?)", (FTS_TABLE, SOURCES_TABLE)
    ).scalars())
    return names == {FTS_TABLE, SOURCES_TABLE}


def create_search_index(bind: Session | Connection) -> bool:
    """Create the (empty) index tables if this database can hold them; whether it holds them."""
    conn = _connection(bind)
    if _on_postgresql(conn):
        return _create_postgresql_index(conn)
    if conn.dialect.name != "sqlite" or not trigram_available():
        return False
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(folded, tokenize='trigram case_sensitive 1')"
    )
    conn.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {SOURCES_TABLE} (id INTEGER PRIMARY KEY, sha256 VARCHAR(64) NOT NULL)"
    )
    return True


def _create_postgresql_index(conn: Connection) -> bool:
    if index_exists(conn):
        return True
    conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {FTS_TABLE} (rowid INTEGER PRIMARY KEY, folded TEXT NOT NULL)")
    conn.exec_driver_sql(
        f"CREATE TABLE IF NOT EXISTS {SOURCES_TABLE} (id INTEGER PRIMARY KEY, sha256 VARCHAR(64) NOT NULL)"
    )
    try:  # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may add it
        with conn.begin_nested():
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError:
        return True  # no trigram index: LIKE scans the folded texts, still without Python
    conn.exec_driver_sql(f"CREATE INDEX IF NOT EXISTS ix_{FTS_TABLE}_folded_trgm ON {FTS_TABLE} "
                         "USING gin (folded gin_trgm_ops)")
    return True


def drop_search_index(bind: Session | Connection) -> None:
    conn = _connection(bind)
    if conn.dialect.name in ("sqlite", "postgresql"):
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {SOURCES_TABLE}")
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {FTS_TABLE}")


def _unindexed():
    """Ids of documents whose current text has no row in the index."""
    d = Document.__table__.alias("unindexed")
    made_from_it = select(_sources.c.id).where(_sources.c.id == d.c.id, _sources.c.sha256 == d.c.sha256)
    return select(d.c.id).where(~made_from_it.exists())


def _stale():
    """Ids of index rows whose document is gone, or now has another text (an id used again)."""
    d = Document.__table__.alias("indexed")
    source = select(d.c.id).where(d.c.sha256 == _sources.c.sha256, d.c.id == _sources.c.id)
    return select(_sources.c.id).where(~source.exists())


def sync_search_index(bind: Session | Connection) -> int:
    """Bring the index up to date in the caller's transaction: rows added for documents it lacks,
    rows dropped for documents gone. Creates the index if the database can hold it and it is
    missing. Returns the number of documents indexed."""
    conn = _connection(bind)
    if not create_search_index(conn):
        return 0
    stale = list(conn.scalars(_stale()))
    for at in range(0, len(stale), _BATCH):
        ids = stale[at:at + _BATCH]
        conn.execute(delete(_fts).where(_fts.c.rowid.in_(ids)))
        conn.execute(delete(_sources).where(_sources.c.id.in_(ids)))
    missing = list(conn.scalars(_unindexed().order_by("id")))
    for at in range(0, len(missing), _BATCH):
        ids = missing[at:at + _BATCH]
        rows = conn.execute(select(Document.id, Document.sha256, Document.text).where(Document.id.in_(ids))).all()
        # an FTS row left without its source row would make the insert fail: clear the rowids first
        conn.execute(delete(_fts).where(_fts.c.rowid.in_(ids)))
        conn.execute(insert(_fts), [{"rowid": i, "folded": fold(text)} for i, _, text in rows])
        conn.execute(insert(_sources), [{"id": i, "sha256": sha} for i, sha, _ in rows])
    return len(missing)


_folded: dict[str, str] = {}
_FOLDED_CHARS = 20_000_000  # about 80 MB at most: then the cache starts again
_held = [0]  # characters of the texts in _folded


def _folded_contains(text: str | None, needle: str) -> int:
    """SQL function of the scan. Folding is most of its cost and every keystroke scans the same
    texts again, so folded texts are kept (keyed by the text itself: never stale)."""
    if text is None:
        return 0
    folded = _folded.get(text)
    if folded is None:
        _held[0] += len(text)
        if _held[0] > _FOLDED_CHARS:
            _folded.clear()
            _held[0] = len(text)
        folded = _folded[text] = fold(text)
    return int(needle in folded)


def _register_contains(conn: Connection) -> None:
    pooled = conn.connection
    if not pooled.info.get(_CONTAINS):
        raw = pooled.driver_connection
        assert raw is not None
        raw.create_function(_CONTAINS, 2, _folded_contains, deterministic=True)
        pooled.info[_CONTAINS] = True


def _escape_like(s: str) -> str:
    return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_matches(bind: Session | Connection, query: str) -> ColumnElement[bool]:
    """A condition on `Document`: its text contains `query`, compared folded (see
    `app.core.find.fold`). Reads only; never raises for any query text."""
    needle = fold(query)
    if not needle:
        return false()
    conn = _connection(bind)
    if _on_postgresql(conn):
        return _postgresql_matches(conn, needle)
    if conn.dialect.name != "sqlite":  # another database: a plain case-insensitive scan of the texts
        return Document.text.ilike("%" + _escape_like(query) + "%", escape="\\")
    scan = func.annotary_folded_contains(Document.text, literal(needle)) == 1
    if not index_exists(conn):
        _register_contains(conn)
        return scan
    if len(needle) >= MIN_INDEXED_QUERY:  # a quoted phrase: FTS5 query syntax in it is literal
        phrase = '"' + needle.replace('"', '""') + '"'
        hits = select(_fts.c.rowid).where(_fts.c.folded.match(literal(phrase)))
    else:  # too short for a trigram: a scan of the folded texts the index holds
        hits = select(_fts.c.rowid).where(func.instr(_fts.c.folded, literal(needle)) > 0)
    unindexed = _unindexed()
    if conn.scalar(select(unindexed.exists())):
        _register_contains(conn)
        return (Document.id.in_(hits) & Document.id.not_in(unindexed)) | (Document.id.in_(unindexed) & scan)
    return Document.id.in_(hits)


def _folded_hits(conn: Connection, ids: Select[tuple[int]], needle: str) -> list[int]:
    """Ids among `ids` (a select of document ids) whose text contains `needle` folded, in Python."""
    hits: list[int] = []
    for doc_id, text in conn.execute(select(Document.id, Document.text).where(Document.id.in_(ids))):
        if _folded_contains(text, needle):
            hits.append(doc_id)
    return hits


def _postgresql_matches(conn: Connection, needle: str) -> ColumnElement[bool]:
    if not index_exists(conn):
        return Document.id.in_(_folded_hits(conn, select(Document.id), needle))
    hits = select(_fts.c.rowid).where(_fts.c.folded.contains(needle, autoescape=True))
    unindexed = _unindexed()
    extra = _folded_hits(conn, unindexed, needle)
    if not extra and not conn.scalar(select(unindexed.exists())):
        return Document.id.in_(hits)
    return (Document.id.in_(hits) & Document.id.not_in(unindexed)) | Document.id.in_(extra)


def scan_matches(bind: Session | Connection, query: str) -> ColumnElement[bool]:
    """The same condition without the index (every text folded in Python): for comparisons and benchmarks."""
    needle = fold(query)
    if not needle:
        return false()
    conn = _connection(bind)
    if _on_postgresql(conn):
        return Document.id.in_(_folded_hits(conn, select(Document.id), needle))
    _register_contains(conn)
    return func.annotary_folded_contains(Document.text, literal(needle)) == 1
