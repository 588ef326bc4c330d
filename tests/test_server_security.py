"""Coders as PostgreSQL roles and blind coding enforced by row-level security, checked with each
coder's own connection issuing plain SQL (what `psql` would do)."""

from __future__ import annotations

import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

psycopg = pytest.importorskip("psycopg")

from sqlalchemy import Connection, Engine, create_engine, text  # noqa: E402
from sqlalchemy.engine import URL  # noqa: E402
from sqlalchemy.exc import ProgrammingError  # noqa: E402

from app.core.codebook import apply_codebook, load_codebook  # noqa: E402
from app.core.errors import AnnotaryError  # noqa: E402
from app.core.models import Base  # noqa: E402
from app.core.paths import default_codebook_path  # noqa: E402
from app.core.server.roles import add_coder, check_coder, connected_coder, set_role  # noqa: E402
from app.core.server.security import (  # noqa: E402
    CHILD_TABLES,
    OWNED_TABLES,
    group_roles,
    install_security,
    secured_tables,
    unclassified_tables,
)

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "s3cret 'quoted' pass"


# ---------------------------------------------------------------- a throwaway cluster

@dataclass
class Cluster:
    port: int
    socket_dir: str

    def url(self, user: str, database: str, password: str | None = None) -> URL:
        """Over TCP with a password (scram), or over the socket (trust) without one."""
        host = "127.0.0.1" if password is not None else self.socket_dir
        return URL.create("postgresql+psycopg", username=user, password=password, host=host,
                          port=self.port, database=database)

    def engine(self, user: str, database: str, password: str | None = None) -> Engine:
        return create_engine(self.url(user, database, password))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    def unavailable(why: str) -> None:
        if os.environ.get("ANNOTARY_REQUIRE_PG") == "1":
            pytest.fail(why)
        pytest.skip(why)

    if not (PG_BIN / "initdb").exists():
        unavailable(f"no PostgreSQL binaries in {PG_BIN}")
    base = Path(tempfile.mkdtemp(prefix="annotary-pg-"))
    base.chmod(0o755)
    as_root = os.geteuid() == 0
    if as_root:
        shutil.chown(base, "postgres", "postgres")

    def run(*args: str) -> None:
        command = [str(a) for a in args]
        if as_root:
            command = ["su", "postgres", "-c", subprocess.list2cmdline(command)]
        subprocess.run(command, check=True, capture_output=True, timeout=60)

    port, data, sock = _free_port(), base / "data", base / "sock"
    try:
        run("mkdir", str(sock))
        run(str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
            "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync")
        run(str(PG_BIN / "pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-w", "-o",
            f"-k {sock} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        unavailable(f"cannot start a PostgreSQL cluster: {exc}")
    cluster = Cluster(port, str(sock))
    admin = cluster.engine("postgres", "postgres")
    with admin.begin() as conn:  # the project's lead: not a superuser, so row security binds them too
        conn.execute(text("CREATE ROLE lead LOGIN CREATEROLE"))
    admin.dispose()
    yield cluster
    subprocess.run(["su", "postgres", "-c", subprocess.list2cmdline(
        [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"])] if as_root else
        [str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"], capture_output=True, check=False)
    shutil.rmtree(base, ignore_errors=True)


_numbers = itertools.count(1)


@dataclass
class ServerProject:
    cluster: Cluster
    database: str
    lead: Engine
    engines: list[Engine]

    def connect_as(self, user: str, password: str | None = PASSWORD) -> Engine:
        engine = self.cluster.engine(user, self.database, password)
        self.engines.append(engine)
        return engine


def _insert_mention(conn: Connection, coder: str, start: int = 0, document_id: int = 1) -> int:
    return int(conn.scalar(text(
        'INSERT INTO mentions (document_id, coder_id, entity_type_id, start, "end", text, note, created_at, '
        "modified_at) VALUES (:doc, (SELECT id FROM coders WHERE name = :coder), "
        "(SELECT min(id) FROM entity_types), :start, :start + 4, 'word', '', now(), now()) RETURNING id"),
        {"doc": document_id, "coder": coder, "start": start}))


def _insert_event(conn: Connection, coder: str, mention_id: int) -> int:
    event_id = int(conn.scalar(text(
        "INSERT INTO events (document_id, coder_id, event_type_id, note, created_at, modified_at) "
        "VALUES (1, (SELECT id FROM coders WHERE name = :coder), (SELECT min(id) FROM event_types), '', now(), "
        "now()) RETURNING id"), {"coder": coder}))
    conn.execute(text(
        "INSERT INTO event_arguments (event_id, role_id, mention_id, created_at, modified_at) VALUES "
        "(:e, (SELECT min(id) FROM event_roles WHERE event_type_id = (SELECT event_type_id FROM events "
        "WHERE id = :e)), :m, now(), now())"), {"e": event_id, "m": mention_id})
    conn.execute(text(
        "INSERT INTO mention_attribute_values (mention_id, attribute_id, value, modified_at) "
        "VALUES (:m, (SELECT min(id) FROM attributes), 'yes', now())"), {"m": mention_id})
    conn.execute(text(
        "INSERT INTO annotation_notes (mention_id, type, text) VALUES (:m, 'Lemma', 'w')"), {"m": mention_id})
    conn.execute(text(
        "INSERT INTO document_status (document_id, coder_id, status, modified_at) VALUES "
        "(1, (SELECT id FROM coders WHERE name = :coder), 'in_progress', now())"), {"coder": coder})
    return event_id


def _create_schema(engine: Engine) -> None:
    """The models' tables. annotation_notes's CHECK adds booleans (`(a IS NOT NULL) + ...`), which
    SQLite allows and PostgreSQL does not; until the model says it portably, that one table is made
    here with the same rule written with integers."""
    from sqlalchemy import CheckConstraint, MetaData

    metadata = MetaData(naming_convention=Base.metadata.naming_convention)
    for table in Base.metadata.sorted_tables:
        table.to_metadata(metadata)
    notes = metadata.tables["annotation_notes"]
    for constraint in [c for c in notes.constraints if isinstance(c, CheckConstraint)]:
        notes.constraints.discard(constraint)
    notes.append_constraint(CheckConstraint(
        "(mention_id IS NOT NULL)::int + (event_id IS NOT NULL)::int + (relation_id IS NOT NULL)::int = 1",
        name="one_owner"))
    metadata.create_all(engine)


@pytest.fixture
def server_project(pg_cluster: Cluster) -> Iterator[ServerProject]:
    """A fresh database owned by `lead` with the schema, the default codebook and two documents;
    security installed; coders alice and bob and adjudicator ada (passwords); as lead: alice has
    two mentions (one with an event, argument, attribute value, note; a status), bob one, gold one."""
    database = f"annotary_test_{next(_numbers)}"
    admin = pg_cluster.engine("postgres", "postgres").execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}" OWNER lead'))  # a fixed test name, no user text
    lead = pg_cluster.engine("lead", database)
    _create_schema(lead)
    from sqlalchemy.orm import Session

    from app.core.models import Document
    with Session(lead) as session:
        apply_codebook(session, load_codebook(default_codebook_path()))
        for i in (1, 2):
            session.add(Document(id=i, title=f"d{i}", filename=f"d{i}.txt", language="en", direction="ltr",
                                 source_encoding="utf-8", chars=40, sha256=str(i) * 64, text="word " * 8))
        session.commit()
    with lead.begin() as conn:
        install_security(conn, database)
        add_coder(conn, database, "alice", password=PASSWORD)
        add_coder(conn, database, "bob", password=PASSWORD)
        add_coder(conn, database, "ada", role="adjudicator", password=PASSWORD)
        conn.execute(text("INSERT INTO coders (name, role, created_at) VALUES ('gold', 'adjudicator', now())"))
        first = _insert_mention(conn, "alice", 0)
        _insert_mention(conn, "alice", 5)
        _insert_event(conn, "alice", first)
        _insert_mention(conn, "bob", 10)
        _insert_mention(conn, "gold", 15)
    project = ServerProject(pg_cluster, database, lead, [])
    yield project
    for engine in (*project.engines, lead):
        engine.dispose()
    roles = group_roles(database)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{database}" WITH (FORCE)'))
        names = [r for r in conn.scalars(text(
            "SELECT u.rolname FROM pg_roles u WHERE pg_has_role(u.oid, :c, 'MEMBER') "
            "OR pg_has_role(u.oid, :a, 'MEMBER')"), {"c": roles.coder, "a": roles.adjudicator})
            if r not in ("lead", "postgres")]
        for name in names:
            conn.execute(text("DROP ROLE IF EXISTS " + conn.dialect.identifier_preparer.quote(name)))
    admin.dispose()


def _count(engine: Engine, table: str) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text(f"SELECT count(*) FROM {table}")))  # table names are this module's


def _set_blind(project: ServerProject, value: str) -> None:
    with project.lead.begin() as conn:
        conn.execute(text("DELETE FROM project_settings WHERE key = 'blind_coding'"))
        conn.execute(text("INSERT INTO project_settings (key, value) VALUES ('blind_coding', :v)"), {"v": value})


# ---------------------------------------------------------------- tests

def test_every_model_table_has_rules_and_coder_tables_are_forced(server_project):
    assert unclassified_tables() == set()
    with server_project.lead.connect() as conn:
        secured = secured_tables(conn)
    for table in (*OWNED_TABLES, *CHILD_TABLES, "gold_rejections"):
        assert secured[table] == (True, True), table
    assert secured["documents"] == (False, False)


def test_each_coder_sees_only_their_own_rows(server_project):
    alice, bob = server_project.connect_as("alice"), server_project.connect_as("bob")
    assert _count(alice, "mentions") == 2
    assert _count(bob, "mentions") == 1
    for table in ("events", "event_arguments", "mention_attribute_values", "annotation_notes", "document_status"):
        assert (_count(alice, table), _count(bob, table)) == (1, 0), table
    assert _count(bob, "documents") == 2  # the documents and the codebook are everyone's
    assert _count(bob, "entity_types") > 0


def test_adjudicator_and_owner_see_everything(server_project):
    assert _count(server_project.connect_as("ada"), "mentions") == 4
    assert _count(server_project.lead, "mentions") == 4  # the owner, not a superuser, is an adjudicator


def test_coder_writes_own_rows_but_not_anothers_or_golds(server_project):
    alice = server_project.connect_as("alice")
    with server_project.lead.connect() as conn:
        bob_mention, gold_mention = conn.scalars(text(
            "SELECT m.id FROM mentions m JOIN coders c ON c.id = m.coder_id WHERE c.name IN ('bob', 'gold') "
            "ORDER BY c.name")).all()
    with alice.begin() as conn:  # her own: insert, update, delete
        mine = _insert_mention(conn, "alice", 20)
        assert conn.execute(text("UPDATE mentions SET note = 'x' WHERE id = :i"), {"i": mine}).rowcount == 1
        assert conn.execute(text("DELETE FROM mentions WHERE id = :i"), {"i": mine}).rowcount == 1
    for coder in ("bob", "gold"):
        with pytest.raises(ProgrammingError, match="row-level security"), alice.begin() as conn:
            _insert_mention(conn, coder, 25)
    with alice.begin() as conn:
        for other in (bob_mention, gold_mention):
            assert conn.execute(text("UPDATE mentions SET note = 'x' WHERE id = :i"), {"i": other}).rowcount == 0
            assert conn.execute(text("DELETE FROM mentions WHERE id = :i"), {"i": other}).rowcount == 0
        # nor may she move her own row to another coder
        with pytest.raises(ProgrammingError, match="row-level security"), conn.begin_nested():
            conn.execute(text("UPDATE mentions SET coder_id = (SELECT id FROM coders WHERE name = 'bob') "
                              "WHERE coder_id = annotary_coder_id()"))
        # nor hang her notes or attribute values on bob's mention
        with pytest.raises(ProgrammingError, match="row-level security"), conn.begin_nested():
            conn.execute(text("INSERT INTO annotation_notes (mention_id, type, text) VALUES (:m, 'Lemma', 'x')"),
                         {"m": bob_mention})
    assert _count(server_project.lead, "mentions") == 4
    with server_project.lead.connect() as conn:
        assert conn.scalar(text("SELECT count(*) FROM mentions WHERE note = 'x'")) == 0


def test_coder_cannot_fill_her_event_with_anothers_mention(server_project):
    alice = server_project.connect_as("alice")
    with server_project.lead.connect() as conn:
        bob_mention = conn.scalar(text(
            "SELECT m.id FROM mentions m JOIN coders c ON c.id = m.coder_id WHERE c.name = 'bob'"))
    with pytest.raises(ProgrammingError, match="row-level security"), alice.begin() as conn:
        event_id = conn.scalar(text("SELECT id FROM events"))
        conn.execute(text(
            "INSERT INTO event_arguments (event_id, role_id, mention_id, created_at, modified_at) VALUES "
            "(:e, (SELECT max(id) FROM event_roles WHERE event_type_id = (SELECT event_type_id FROM events "
            "WHERE id = :e)), :m, now(), now())"), {"e": event_id, "m": bob_mention})


def test_coder_cannot_change_settings_codebook_or_documents(server_project):
    alice = server_project.connect_as("alice")
    for statement in ("INSERT INTO project_settings (key, value) VALUES ('blind_coding', 'off')",
                      "UPDATE entity_types SET name = 'x'", "DELETE FROM documents",
                      "UPDATE coders SET role = 'adjudicator'"):
        with pytest.raises(ProgrammingError, match="permission denied"), alice.begin() as conn:
            conn.execute(text(statement))


def test_blind_coding_off_lets_coders_read_others_but_not_write(server_project):
    _set_blind(server_project, "off")
    alice = server_project.connect_as("alice")
    assert _count(alice, "mentions") == 4
    assert _count(server_project.connect_as("bob"), "event_arguments") == 1
    with alice.begin() as conn:
        assert conn.execute(text("UPDATE mentions SET note = 'x' WHERE coder_id <> annotary_coder_id()")
                            ).rowcount == 0
        assert conn.execute(text("DELETE FROM event_arguments")).rowcount == 1  # only her own
    bob = server_project.connect_as("bob")
    with bob.begin() as conn:
        assert conn.execute(text("DELETE FROM mentions")).rowcount == 1
    assert _count(server_project.lead, "mentions") == 3
    _set_blind(server_project, "on")
    assert _count(alice, "mentions") == 2


def test_odd_role_names_are_quoted(server_project):
    names = ["o'brien \"the\" coder", "ana maría; DROP TABLE mentions", "عائشة", "प्रिया"]
    with server_project.lead.begin() as conn:
        stored = [add_coder(conn, server_project.database, name, password=PASSWORD) for name in names]
    assert stored == names
    for name in names:
        engine = server_project.connect_as(name)
        assert _count(engine, "mentions") == 0
        with engine.begin() as conn:
            assert connected_coder(conn) == name
            _insert_mention(conn, name, 30)
        assert _count(engine, "mentions") == 1
    assert _count(server_project.lead, "mentions") == 4 + len(names)


def test_coder_without_password_connects_by_trust_on_the_socket(server_project):
    with server_project.lead.begin() as conn:
        add_coder(conn, server_project.database, "carol")
    carol = server_project.connect_as("carol", password=None)
    assert _count(carol, "mentions") == 0


def test_wrong_password_is_refused(server_project):
    from sqlalchemy.exc import OperationalError
    with pytest.raises(OperationalError, match="password authentication failed"):
        _count(server_project.connect_as("alice", password="wrong"), "mentions")


def test_installing_twice_is_harmless(server_project):
    def policies() -> list[tuple[str, str]]:
        with server_project.lead.connect() as conn:
            return [tuple(r) for r in conn.execute(text(
                "SELECT tablename, policyname FROM pg_policies ORDER BY 1, 2"))]
    before = policies()
    with server_project.lead.begin() as conn:
        install_security(conn, server_project.database)
    with server_project.lead.begin() as conn:
        install_security(conn)
    assert policies() == before
    assert _count(server_project.connect_as("alice"), "mentions") == 2


def test_a_coder_is_who_they_log_in_as(server_project):
    with server_project.connect_as("alice").connect() as conn:
        assert check_coder(conn, None) == "alice"
        assert check_coder(conn, "Alice") == "alice"
        with pytest.raises(AnnotaryError, match="you are connected as alice"):
            check_coder(conn, "bob")


def test_only_adjudicators_manage_coders(server_project):
    with server_project.connect_as("alice").begin() as conn:
        with pytest.raises(AnnotaryError, match="only an adjudicator"):
            add_coder(conn, server_project.database, "mallory")
        with pytest.raises(AnnotaryError, match="only an adjudicator"):
            set_role(conn, server_project.database, "alice", "adjudicator")
    with server_project.lead.begin() as conn, pytest.raises(AnnotaryError, match="adjudicated set"):
        add_coder(conn, server_project.database, "Gold")


def test_set_role_moves_a_coder_between_the_groups(server_project):
    alice = server_project.connect_as("alice")
    with server_project.lead.begin() as conn:
        set_role(conn, server_project.database, "alice", "adjudicator")
        assert conn.scalar(text("SELECT role FROM coders WHERE name = 'alice'")) == "adjudicator"
    assert _count(alice, "mentions") == 4
    with server_project.lead.begin() as conn:
        set_role(conn, server_project.database, "alice", "coder")
    assert _count(alice, "mentions") == 2


def test_two_projects_in_one_cluster_have_their_own_groups():
    first, second = group_roles("news"), group_roles("news2")
    assert {first.coder, first.adjudicator}.isdisjoint({second.coder, second.adjudicator})
    long = group_roles("x" * 63)
    assert len(long.adjudicator.encode()) <= 63 and long.adjudicator != group_roles("x" * 62 + "y").adjudicator


def test_workspace_on_a_coders_own_connection(server_project):
    from app.core.project import Project
    from app.core.services.workspace import Workspace

    projects = []
    try:
        for name in ("alice", "bob"):
            projects.append(Project(Path(f"server-{name}"), server_project.connect_as(name)))
        alice, bob = (Workspace(p, n) for p, n in zip(projects, ("alice", "bob"), strict=True))
        entity_type = alice.codebook.entity_types[0].id
        alice.tag(1, alice.document_text(1), 20, 24, entity_type)
        assert len(alice.mentions(1)) == 3
        assert len(bob.mentions(1)) == 1
        bob_mention = bob.mentions(1)[0].id
        with pytest.raises(AnnotaryError, match="no mention"):  # the server does not show her bob's
            alice.delete_mention(bob_mention)
        assert [m.id for m in bob.mentions(1)] == [bob_mention]
        alice.undo()
        assert len(alice.mentions(1)) == 2
        assert bob.mentions(1, coder=(alice.coder_id, "alice")) == []  # blind: the server shows nothing
        with (pytest.raises(AnnotaryError, match="you are connected as alice"),
              projects[0].engine.connect() as conn):
            check_coder(conn, "bob")
    finally:
        for p in projects:
            p.close()
