"""Team projects on a PostgreSQL server: the address, creating the schema in an empty database, opening,
upgrading and refusing, the same schema from models and from migrations, text search as on a file."""

import threading

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import select

from app.core import migrations
from app.core.address import is_server_address, server_url
from app.core.errors import ProjectError
from app.core.models import Base, Coder, Document
from app.core.project import create_project, make_server_engine, open_project
from app.core.search_index import is_search_table
from app.core.services.projects import init_project
from app.core.services.workspace import Workspace


def test_a_project_made_in_an_empty_database_opens_again_with_its_seeds(pg_url):
    with init_project(pg_url) as project:
        assert project.file is None and project.on_server
        assert project.address == pg_url
        assert migrations.current_revision(project.engine) == migrations.head()
    with open_project(pg_url.replace("postgresql://", "postgresql+psycopg://")) as project:
        assert project.upgraded_from is None
        with project.read() as session:
            assert session.scalars(select(Document.id).order_by(Document.id)).all() == [1, 2, 3, 4, 5]
        with pytest.raises(ProjectError, match="is a project on a server, not a file"):
            _ = project.path


@pytest.mark.parametrize("address", ["postgresql://alice:secret@db.example.org/team",
                                     "postgresql://alice@db.example.org/team?password=secret"])
def test_a_password_in_the_address_is_refused_and_never_repeated(address):
    with pytest.raises(ProjectError) as caught:
        create_project(address)
    assert "PGPASSWORD or put it in ~/.pgpass" in caught.value.message
    assert "secret" not in caught.value.message


def test_what_counts_as_a_server_address():
    assert is_server_address("postgresql://u@h/db")
    assert is_server_address("postgresql+psycopg://u@h:5433/db")
    assert not is_server_address("projects/postgresql.annotary")
    assert server_url("postgresql://u@h/db?sslmode=require").drivername == "postgresql+psycopg"
    with pytest.raises(ProjectError, match="psycopg 3"):
        server_url("postgresql+psycopg2://u@h/db")
    with pytest.raises(ProjectError, match="names no database"):
        server_url("postgresql://u@h")


def test_libpq_parameters_in_the_address_are_honoured(pg_url):
    # the throwaway cluster has no SSL: libpq, told to require it, refuses to connect
    with pytest.raises(ProjectError, match=r"cannot connect to .*sslmode=require.*SSL"):
        open_project(pg_url + "?sslmode=require")
    with init_project(pg_url + "?sslmode=disable", empty=True) as project:
        assert project.address.endswith("?sslmode=disable")


def test_a_missing_password_says_where_libpq_looks(pg_server, pg_url, monkeypatch, tmp_path):
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE ROLE lead LOGIN PASSWORD 'pw-of-lead'")
    # trust is configured for every local connection; require a password for this role only
    hba = pg_server.data / "pg_hba.conf"
    original = hba.read_text()
    hba.write_text("host all lead 127.0.0.1/32 scram-sha-256\n" + original)
    with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
        conn.execute("SELECT pg_reload_conf()")
    try:
        monkeypatch.setenv("PGPASSFILE", str(tmp_path / "none"))
        monkeypatch.delenv("PGPASSWORD", raising=False)
        lead_url = pg_url.replace("postgres@", "lead@")
        with pytest.raises(ProjectError, match=r"set PGPASSWORD or put the password in ~/\.pgpass"):
            open_project(lead_url)
        monkeypatch.setenv("PGPASSWORD", "pw-of-lead")
        with pytest.raises(ProjectError, match=r"permission denied|not empty|empty database"):
            open_project(lead_url)  # connected: the database is just not a project yet
    finally:
        hba.write_text(original)
        with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
            conn.execute("SELECT pg_reload_conf()")


def test_a_database_with_tables_is_not_empty_and_is_left_alone(pg_url):
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE payroll (id integer)")
    with pytest.raises(ProjectError, match="is not empty"):
        create_project(pg_url)
    with pytest.raises(ProjectError, match="not an Annotary project"):
        open_project(pg_url)
    with psycopg.connect(pg_url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    assert tables == ["payroll"]


def test_an_empty_database_says_how_to_make_it_a_project(pg_url):
    with pytest.raises(ProjectError, match=r"empty database.*annotary init postgresql://"):
        open_project(pg_url)


def test_two_programs_creating_at_once_one_wins_the_other_finds_it_not_empty(pg_url):
    outcomes: list[str] = []
    start = threading.Barrier(2)

    def create() -> None:
        start.wait()
        try:
            create_project(pg_url).close()
            outcomes.append("created")
        except ProjectError as exc:
            outcomes.append(exc.message)

    threads = [threading.Thread(target=create) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=len)[0] == "created"
    assert "is not empty" in sorted(outcomes, key=len)[1]


def test_a_newer_schema_is_refused(pg_url):
    create_project(pg_url).close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(ProjectError, match="made by a newer Annotary \\(schema 9999\\)"):
        open_project(pg_url)


def test_an_older_schema_with_annotations_is_upgraded_on_opening(pg_url):
    engine = make_server_engine(server_url(pg_url))
    migrations.upgrade(engine, "0002")
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO coders (id, name, created_at) VALUES (1, 'alice', '2026-01-01'), "
                             "(2, 'gold', '2026-01-01')")
        conn.exec_driver_sql("INSERT INTO entity_types (id, name, color, definition, position) "
                             "VALUES (1, 'PER', '#ff0000', '', 0)")
        conn.exec_driver_sql(
            "INSERT INTO documents (id, title, filename, language, direction, source_encoding, chars, sha256, "
            "text, imported_at) VALUES (1, 't', 'f.txt', 'en', 'ltr', 'utf-8', 10, 'abc', 'Sam met Al', "
            "'2026-01-01 00:00:00')")
        conn.exec_driver_sql("INSERT INTO mentions (id, document_id, coder_id, entity_type_id, start, \"end\", "
                             "text, note, created_at, modified_at) VALUES (1, 1, 1, 1, 0, 3, 'Sam', "
                             "'[Lemma] sam', '2026-01-01', '2026-01-01')")
    engine.dispose()
    with open_project(pg_url) as project:
        assert project.upgraded_from == "0002"
        assert migrations.current_revision(project.engine) == migrations.head()
        with project.read() as session:
            roles = dict(session.execute(select(Coder.name, Coder.role)).all())
        assert roles == {"alice": "coder", "gold": "adjudicator"}
        with project.engine.connect() as conn:
            notes = conn.exec_driver_sql("SELECT mention_id, type, text FROM annotation_notes").all()
        assert [tuple(n) for n in notes] == [(1, "Lemma", "sam")]
        ws = Workspace(project, "alice")
        assert [r.id for r in ws.document_rows(0, 10, "met")] == [1]
        # rows that came with explicit ids: the sequences were moved past them, so new rows get new ids
        with project.uow() as session:
            session.add(Coder(name="bob"))
        with project.read() as session:
            assert session.scalars(select(Coder.id).where(Coder.name == "bob")).one() == 3


def test_created_schema_equals_migrated_schema_on_postgresql(pg_server):
    migrated_name, created_name = pg_server.create_database(), pg_server.create_database()
    try:
        migrated = make_server_engine(server_url(pg_server.admin_url(migrated_name)))
        migrations.upgrade_head(migrated)
        create_project(pg_server.admin_url(created_name)).close()

        def modelled(name, kind, _parent):  # type: ignore[no-untyped-def]
            return not (kind == "table" and is_search_table(name))

        with migrated.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": modelled}),
                                    Base.metadata)
        migrated.dispose()
        assert diff == []
        created = make_server_engine(server_url(pg_server.admin_url(created_name)))
        with created.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"include_name": modelled}),
                                    Base.metadata)
            tables = set(conn.exec_driver_sql("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
                         .scalars())
        created.dispose()
        assert diff == []
        assert {"document_search", "document_search_sources", "alembic_version"} <= tables
    finally:
        pg_server.drop_database(migrated_name)
        pg_server.drop_database(created_name)


def test_a_failed_init_leaves_the_database_empty(pg_url, monkeypatch):
    from app.core.services import projects

    def broken_seeds(_project):  # type: ignore[no-untyped-def]
        raise OSError("seeds unreadable")

    monkeypatch.setattr(projects, "import_seeds", broken_seeds)
    with pytest.raises(OSError, match="seeds unreadable"):
        init_project(pg_url)
    with psycopg.connect(pg_url) as conn:
        count = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert count == (0,)


@pytest.mark.parametrize("encoding", ["SQL_ASCII", "LATIN1"])
def test_a_database_that_does_not_count_characters_as_python_is_refused(pg_server, encoding):
    """Offsets are code points: a database whose encoding is not UTF8 would slice texts by bytes,
    or could not hold Arabic and Hindi; `init` refuses it and leaves it empty."""
    name = f"enc_{encoding.lower()}"
    with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} ENCODING '{encoding}' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
    try:
        with pytest.raises(ProjectError, match=f"uses the {encoding} encoding; a team project needs a UTF8 database"):
            init_project(pg_server.admin_url(name))
        with psycopg.connect(pg_server.admin_url(name)) as conn:
            assert conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone() == (0,)
    finally:
        pg_server.drop_database(name)
