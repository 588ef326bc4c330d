"""A project's address: a file path, or the URL of a PostgreSQL database (a team project on a server).

A server address is `postgresql://USER@HOST:PORT/DB` (`postgresql+psycopg://` and `postgres://`
accepted), driven by psycopg 3. libpq parameters in the URL's query (`?sslmode=require`) are handed to
libpq. A password never comes from the address: libpq finds it in PGPASSWORD or ~/.pgpass, so
Annotary never holds it in a command line, a setting or a message.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from app.core.errors import ProjectError

_SCHEMES = ("postgresql://", "postgresql+psycopg://", "postgres://")
_OTHER_DRIVERS = ("postgresql+",)
DRIVER = "postgresql+psycopg"


def is_server_address(address: str | os.PathLike[str]) -> bool:
    """Whether the address names a database server rather than a file."""
    text = str(address).strip().lower()
    return text.startswith(_SCHEMES) or text.startswith(_OTHER_DRIVERS)


def _without_userinfo_secret(text: str) -> str:
    """The address as typed, with anything after `user:` in the authority hidden (for messages)."""
    scheme, sep, rest = text.partition("://")
    if not sep:
        return text
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        userinfo, _, host = authority.rpartition("@")
        user = userinfo.split(":", 1)[0]
        authority = f"{user}@{host}"
    return f"{scheme}://{authority}{slash}{tail}"


def server_url(address: str | os.PathLike[str]) -> URL:
    """The SQLAlchemy URL (psycopg 3) of a server address. A password in it is refused."""
    text = str(address).strip()
    lowered = text.lower()
    if lowered.startswith("postgresql+") and not lowered.startswith("postgresql+psycopg://"):
        raise ProjectError(f"{_without_userinfo_secret(text)}: Annotary connects with psycopg 3; "
                           "write the address as postgresql://USER@HOST:PORT/DATABASE")
    try:
        url = make_url(text)
    except ArgumentError:
        raise ProjectError(f"{_without_userinfo_secret(text)} is not a PostgreSQL address "
                           "(postgresql://USER@HOST:PORT/DATABASE)") from None
    if url.password is not None or any(k.lower() == "password" for k in url.query):
        raise ProjectError("a password in the project address is refused (it would be seen in the process "
                           "list and the shell's history): leave it out and set PGPASSWORD or put it in "
                           "~/.pgpass")
    if not url.database:
        raise ProjectError(f"{_without_userinfo_secret(text)} names no database "
                           "(postgresql://USER@HOST:PORT/DATABASE)")
    return url.set(drivername=DRIVER)


def printable_address(url: URL) -> str:
    """The address as shown in messages: `postgresql://user@host:port/db?sslmode=...`, never a password."""
    return url.set(drivername="postgresql").render_as_string(hide_password=True)


def project_address(address: str | os.PathLike[str]) -> str | Path:
    """A server address as given (still a string) or a file path."""
    if is_server_address(address):
        return str(address).strip()
    return Path(address)
