"""Row-level security for a project on a PostgreSQL server.

`install_security` makes the project's two group roles (coders and adjudicators; roles are
cluster-wide, so they are named after the database), grants them what they may do, and turns
on row-level security with policies on every table that holds a coder's work:

- a coder (a login role in the coder group, named like a row of `coders`) sees and writes only
  rows of the coder named like `current_user`; rows of tables without a coder column
  (arguments, attribute values, typed notes, references) follow their parent row;
- with the project setting `blind_coding` off, a coder may also read everyone's rows (never write);
- adjudicators see and write all rows; gold's rows (the coder `gold`) only adjudicators write;
  adjudicators hold the admin option of both groups, so any of them may change a coder's role.

The policies call three small SQL functions (`annotary_coder_id()`, `annotary_is_adjudicator()`,
`annotary_sees_others()`) made here too. Everything is created if missing or replaced, so running
it again is harmless: run it again after a migration (`refresh_security`) so new tables are
covered. Superusers and roles with BYPASSRLS are not bound by any policy (PostgreSQL's rule).

No SQL is built from text: names go through `psycopg.sql.Identifier`, values through
`psycopg.sql.Literal` or bound parameters.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import psycopg
from psycopg import sql
from sqlalchemy import Connection, text

from app.core.errors import AnnotaryError
from app.core.models import Base

MAX_IDENTIFIER_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1

OWNED_TABLES = ("mentions", "events", "relations", "document_code_values", "document_status")
"""Tables whose rows carry the coder in `coder_id`."""

CHILD_TABLES: dict[str, tuple[tuple[str, str], ...]] = {
    # table: (column, parent table) pairs; a row belongs to the coder of its (non-null) parents
    "event_arguments": (("event_id", "events"), ("mention_id", "mentions"), ("argument_event_id", "events")),
    "event_attribute_values": (("event_id", "events"),),
    "mention_attribute_values": (("mention_id", "mentions"),),
    "annotation_notes": (("mention_id", "mentions"), ("event_id", "events"), ("relation_id", "relations")),
    "external_references": (("mention_id", "mentions"), ("event_id", "events")),
}
"""Tables whose rows belong to the coder of the rows they point to."""

ADJUDICATOR_TABLES = ("gold_rejections",)
"""Adjudicators' own records: coders read them only when blind coding is off."""

SHARED_TABLES = (
    "coders", "documents", "project_settings", "attributes", "document_codes", "entity_types",
    "event_roles", "event_types", "relation_types", "role_accepts", "role_accepts_events",
    "relation_source_accepts", "relation_target_accepts",
)
"""Tables everyone reads and only adjudicators write (no coder data in them)."""

_FUNCTIONS = ("annotary_coder_id", "annotary_is_adjudicator", "annotary_sees_others")
_POLICIES = ("annotary_read", "annotary_insert", "annotary_update", "annotary_delete")


@dataclass(frozen=True)
class GroupRoles:
    coder: str
    adjudicator: str


def group_roles(database_name: str) -> GroupRoles:
    """The project's group role names: ``annotary_<db>_coder`` and ``annotary_<db>_adjudicator``
    (a long database name is shortened and given a hash, within PostgreSQL's 63 bytes)."""
    def name(kind: str) -> str:
        full = f"annotary_{database_name}_{kind}"
        if len(full.encode()) <= MAX_IDENTIFIER_BYTES:
            return full
        digest = hashlib.sha256(database_name.encode()).hexdigest()[:10]
        room = MAX_IDENTIFIER_BYTES - len(f"annotary__{digest}_{kind}")
        short = database_name.encode()[:room].decode(errors="ignore")
        return f"annotary_{short}_{digest}_{kind}"
    return GroupRoles(name("coder"), name("adjudicator"))


def classified_tables() -> set[str]:
    return {*OWNED_TABLES, *CHILD_TABLES, *ADJUDICATOR_TABLES, *SHARED_TABLES}


def unclassified_tables() -> set[str]:
    """Model tables this module does not know (a new table must be given its rules here)."""
    return set(Base.metadata.tables) - classified_tables()


def _run(conn: Connection, statement: sql.Composed | sql.SQL) -> None:
    """One statement on the connection's own psycopg connection, in its transaction."""
    raw = conn.connection.driver_connection
    if not isinstance(raw, psycopg.Connection):
        raise AnnotaryError("a server project needs a PostgreSQL connection through psycopg 3")
    with raw.cursor() as cursor:
        cursor.execute(statement)


def _database(conn: Connection, database_name: str | None) -> str:
    current = conn.scalar(text("SELECT current_database()"))
    if database_name is not None and database_name != current:
        raise AnnotaryError(f"connected to database {current!r}, not {database_name!r}")
    return str(current)


def _schema(conn: Connection) -> str:
    return str(conn.scalar(text("SELECT current_schema()")))


def role_exists(conn: Connection, name: str) -> bool:
    return bool(conn.scalar(text("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :n)"), {"n": name}))


def install_security(conn: Connection, database_name: str | None = None) -> GroupRoles:
    """Group roles, grants, and row-level security policies for the project in this database
    (the connection's current database and schema, whose tables exist). Idempotent. The
    connecting role becomes an adjudicator. Runs in the connection's transaction; commit it."""
    database_name = _database(conn, database_name)
    missing = set(Base.metadata.tables) - _existing_tables(conn)
    if missing:
        raise AnnotaryError(f"this database has no Annotary schema (missing {', '.join(sorted(missing))})")
    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('annotary security'))"))
    roles = group_roles(database_name)
    schema = sql.Identifier(_schema(conn))
    coder, adjudicator = sql.Identifier(roles.coder), sql.Identifier(roles.adjudicator)
    for name in (roles.coder, roles.adjudicator):
        if not role_exists(conn, name):
            _run(conn, sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(name)))
    # adjudicators manage the project's people (`annotary role`), not only the role that made it:
    # their group holds the coder group's admin option, and each is in their own group with it
    _run(conn, sql.SQL("GRANT {} TO {} WITH ADMIN OPTION").format(coder, adjudicator))
    me = str(conn.scalar(text("SELECT current_user")))
    if me not in (roles.coder, roles.adjudicator):
        _run(conn, sql.SQL("GRANT {} TO {} WITH ADMIN OPTION").format(adjudicator, sql.Identifier(me)))
    database = sql.Identifier(database_name)
    # only the project's people connect (PostgreSQL lets every role connect to a new database)
    _run(conn, sql.SQL("REVOKE CONNECT, TEMPORARY ON DATABASE {} FROM PUBLIC").format(database))
    for group in (coder, adjudicator):
        _run(conn, sql.SQL("GRANT CONNECT, TEMPORARY ON DATABASE {} TO {}").format(database, group))
        _run(conn, sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(schema, group))
        _run(conn, sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {} TO {}").format(schema, group))
        _run(conn, sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(schema, group))
    _run(conn, sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {} TO {}")
         .format(schema, adjudicator))
    for table in (*OWNED_TABLES, *CHILD_TABLES):
        _run(conn, sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON {} TO {}")
             .format(sql.Identifier(table), coder))
    _make_functions(conn, roles)
    for table in OWNED_TABLES:
        _policies(conn, table, *_owned_rules())
    for table, parents in CHILD_TABLES.items():
        _policies(conn, table, *_child_rules(parents))
    for table in ADJUDICATOR_TABLES:
        _policies(conn, table, sql.SQL("{} OR {}").format(_ADJUDICATOR, _SEES_OTHERS), _ADJUDICATOR)
    return roles


refresh_security = install_security
"""Run after a migration: new tables get their grants and policies, changed ones are replaced."""


def _existing_tables(conn: Connection) -> set[str]:
    return set(conn.scalars(text(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")))


def _make_functions(conn: Connection, roles: GroupRoles) -> None:
    """The policies' helpers. Plain SQL functions run with the caller's rights: `coders` and
    `project_settings` have no row security, and the caller reads them anyway."""
    _run(conn, sql.SQL(
        "CREATE OR REPLACE FUNCTION annotary_coder_id() RETURNS integer LANGUAGE sql STABLE AS "
        "$$ SELECT id FROM coders WHERE name = current_user::text AND name <> {} $$").format(sql.Literal("gold")))
    _run(conn, sql.SQL(
        "CREATE OR REPLACE FUNCTION annotary_is_adjudicator() RETURNS boolean LANGUAGE sql STABLE AS "
        "$$ SELECT pg_has_role(current_user, {}, 'MEMBER') $$").format(sql.Literal(roles.adjudicator)))
    _run(conn, sql.SQL(
        "CREATE OR REPLACE FUNCTION annotary_sees_others() RETURNS boolean LANGUAGE sql STABLE AS "
        "$$ SELECT coalesce((SELECT value FROM project_settings WHERE key = 'blind_coding'), 'on') = 'off' $$"))


# each helper wrapped in a scalar subquery: PostgreSQL evaluates it once per statement (an
# InitPlan), not once per row the policy looks at
_ADJUDICATOR = sql.SQL("(SELECT annotary_is_adjudicator())")
_SEES_OTHERS = sql.SQL("(SELECT annotary_sees_others())")


def _owned_rules() -> tuple[sql.Composable, sql.Composable]:
    mine = sql.SQL("coder_id = (SELECT annotary_coder_id())")
    write = sql.SQL("({} OR {})").format(_ADJUDICATOR, mine)
    read = sql.SQL("({} OR {} OR {})").format(_ADJUDICATOR, _SEES_OTHERS, mine)
    return read, write


def _child_rules(parents: tuple[tuple[str, str], ...]) -> tuple[sql.Composable, sql.Composable]:
    """Read: a parent is visible to the caller (its own policy decides): for an argument, its
    event (the filler is the same coder's); for a note or reference, its one owner (exactly one of
    its columns is set). Write: every parent that is set belongs to the caller."""
    visible = sql.SQL(" OR ").join(
        sql.SQL("EXISTS (SELECT 1 FROM {t} p WHERE p.id = {c})").format(
            t=sql.Identifier(table), c=sql.Identifier(column))
        for column, table in (parents[:1] if parents[0] == ("event_id", "events") else parents))
    mine = sql.SQL(" AND ").join(
        sql.SQL("({c} IS NULL OR EXISTS (SELECT 1 FROM {t} p WHERE p.id = {c} "
                "AND p.coder_id = (SELECT annotary_coder_id())))")
        .format(t=sql.Identifier(table), c=sql.Identifier(column))
        for column, table in parents)
    return (sql.SQL("({})").format(visible),
            sql.SQL("({} OR ({}))").format(_ADJUDICATOR, mine))


def _policies(conn: Connection, table: str, read: sql.Composable, write: sql.Composable) -> None:
    name = sql.Identifier(table)
    read, write = sql.SQL("({})").format(read), sql.SQL("({})").format(write)
    _run(conn, sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(name))
    _run(conn, sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(name))
    for policy in _POLICIES:
        _run(conn, sql.SQL("DROP POLICY IF EXISTS {} ON {}").format(sql.Identifier(policy), name))
    _run(conn, sql.SQL("CREATE POLICY annotary_read ON {} FOR SELECT USING {}").format(name, read))
    _run(conn, sql.SQL("CREATE POLICY annotary_insert ON {} FOR INSERT WITH CHECK {}").format(name, write))
    _run(conn, sql.SQL("CREATE POLICY annotary_update ON {} FOR UPDATE USING {} WITH CHECK {}")
         .format(name, write, write))
    _run(conn, sql.SQL("CREATE POLICY annotary_delete ON {} FOR DELETE USING {}").format(name, write))


def secured_tables(conn: Connection) -> dict[str, tuple[bool, bool]]:
    """Each table of the schema: (row security enabled, forced)."""
    rows = conn.execute(text(
        "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"))
    return {name: (enabled, forced) for name, enabled, forced in rows}
