"""Coders of a server project are PostgreSQL login roles in the project's coder or adjudicator
group (see `security`). Adding one or changing a role is an adjudicator's (or the owner's) work;
a coder is who they log in as."""

from __future__ import annotations

import psycopg
from psycopg import sql
from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from app.core.errors import AnnotaryError
from app.core.models import CODER_ROLES, Coder
from app.core.server.security import MAX_IDENTIFIER_BYTES, _database, _run, group_roles, role_exists
from app.core.services.coders import check_personal_name, get_or_create_coder
from app.core.validation import name_key


def connected_coder(conn: Connection) -> str:
    """Who this connection codes as: the database role it is connected as (``current_user``)."""
    return str(conn.scalar(text("SELECT current_user")))


def check_coder(conn: Connection, name: str | None) -> str:
    """The coder name to work under: the connected role's; another name (``--coder bob``
    while logged in as alice) is refused."""
    me = connected_coder(conn)
    if name is not None and name_key(" ".join(name.split())) != name_key(me):
        raise AnnotaryError(f"you are connected as {me}; on a server project you code as the role you log "
                            f"in as (leave out --coder, or connect as {' '.join(name.split())})")
    return me


def may_manage(conn: Connection, database_name: str) -> bool:
    """Whether the connected role may add coders and change roles: an adjudicator of this project,
    the database's owner, or a superuser."""
    return bool(conn.scalar(text(
        "SELECT pg_has_role(current_user, :adj, 'MEMBER') "
        "OR pg_has_role(current_user, (SELECT datdba FROM pg_database WHERE datname = current_database()), "
        "'MEMBER') OR (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)"),
        {"adj": group_roles(database_name).adjudicator}))


def _require_manager(conn: Connection, database_name: str) -> None:
    roles = group_roles(database_name)
    if not role_exists(conn, roles.coder) or not role_exists(conn, roles.adjudicator):
        raise AnnotaryError("this project's roles are not set up yet (install its security first)")
    if not may_manage(conn, database_name):
        raise AnnotaryError(f"only an adjudicator may do this; you are connected as {connected_coder(conn)}, "
                            "a coder")


def require_adjudicator(conn: Connection) -> None:
    """Refuse a coder's connection (one line) where only an adjudicator (or the owner) may act."""
    _require_manager(conn, _database(conn, None))


def _role_name(name: str) -> str:
    name = check_personal_name(name)
    if len(name.encode()) > MAX_IDENTIFIER_BYTES:
        raise AnnotaryError(f"a coder on a server has a name of at most {MAX_IDENTIFIER_BYTES} bytes "
                            f"(a database role name); {name!r} is longer")
    if name.lower().startswith("pg_") or name.startswith("annotary_"):
        raise AnnotaryError(f"{name!r} is not available as a coder name on a server (reserved prefix)")
    return name


def _check_role(role: str) -> None:
    if role not in CODER_ROLES:
        raise AnnotaryError(f"a role is one of {', '.join(CODER_ROLES)}, not {role!r}")


def add_coder(conn: Connection, database_name: str, name: str, role: str = "coder",
              password: str | None = None) -> str:
    """Create the login role `name` (or use it if the cluster has it: roles are cluster-wide), put it
    in the project's `role` group, let it connect, and register it in `coders`. The password is
    sent as a SCRAM verifier made here, never as text. Returns the name as stored."""
    _check_role(role)
    database_name = _database(conn, database_name)
    _require_manager(conn, database_name)
    name = _role_name(name)
    ident = sql.Identifier(name)
    roles = group_roles(database_name)
    if name in (roles.coder, roles.adjudicator):
        raise AnnotaryError(f"{name!r} is a group role of this project, not a person")
    _check_no_clash(conn, name)
    try:
        if role_exists(conn, name):
            if password is not None:
                raise AnnotaryError(f"the server already has a role {name!r}; its password is not changed here "
                                    "(it may be a coder of another project)")
        elif password is None:
            _run(conn, sql.SQL("CREATE ROLE {} LOGIN").format(ident))
        else:
            _run(conn, sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(ident, sql.Literal(_verifier(conn, name, password))))
        _grant_group(conn, database_name, name, role)
        _run(conn, sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database_name), ident))
    except psycopg.errors.InsufficientPrivilege as exc:
        raise AnnotaryError(f"the server refused: {exc.diag.message_primary} (adding coders needs a role "
                            "with CREATEROLE, such as the project's owner)") from None
    _register(conn, name, role)
    return name


def set_role(conn: Connection, database_name: str, name: str, role: str) -> None:
    """Move the coder `name` into the coder or the adjudicator group (and say so in `coders`)."""
    _check_role(role)
    database_name = _database(conn, database_name)
    _require_manager(conn, database_name)
    name = check_personal_name(name)
    if not role_exists(conn, name):
        raise AnnotaryError(f"the server has no role {name!r} (add it as a coder first)")
    try:
        _grant_group(conn, database_name, name, role)
    except psycopg.errors.InsufficientPrivilege as exc:
        raise AnnotaryError(f"the server refused: {exc.diag.message_primary}") from None
    _register(conn, name, role)


def _grant_group(conn: Connection, database_name: str, name: str, role: str) -> None:
    roles = group_roles(database_name)
    wanted, other = ((roles.adjudicator, roles.coder) if role == "adjudicator"
                     else (roles.coder, roles.adjudicator))
    ident = sql.Identifier(name)
    admin = sql.SQL(" WITH ADMIN OPTION" if role == "adjudicator" else "")  # adjudicators manage roles too
    _run(conn, sql.SQL("GRANT {} TO {}{}").format(sql.Identifier(wanted), ident, admin))
    if conn.scalar(text("SELECT EXISTS (SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
                        "JOIN pg_roles u ON u.oid = m.member WHERE g.rolname = :g AND u.rolname = :u)"),
                   {"g": other, "u": name}):
        _run(conn, sql.SQL("REVOKE {} FROM {}").format(sql.Identifier(other), ident))


def _check_no_clash(conn: Connection, name: str) -> None:
    """A coder row whose name differs from `name` only in case or Unicode form would be taken for
    it by the app but not by the server's policies (which match the role name exactly)."""
    key = name_key(name)
    for other in conn.scalars(select(Coder.name)):
        if other != name and name_key(other) == key:
            raise AnnotaryError(f"the project has a coder {other!r}; {name!r} would be taken for them "
                                "(use that exact name)")


def _register(conn: Connection, name: str, role: str) -> None:
    session = Session(bind=conn, join_transaction_mode="create_savepoint")
    try:
        coder = get_or_create_coder(session, name)
        coder.role = role
        session.flush()
        session.commit()  # releases the savepoint only: the caller's transaction stays open
    finally:
        session.close()


def _verifier(conn: Connection, name: str, password: str) -> str:
    """The SCRAM-SHA-256 verifier of the password, made by libpq on this side."""
    raw = conn.connection.driver_connection
    if not isinstance(raw, psycopg.Connection):
        raise AnnotaryError("a server project needs a PostgreSQL connection through psycopg 3")
    return raw.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256").decode()
