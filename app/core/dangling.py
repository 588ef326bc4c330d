"""Naming a row that refers to a row that does not exist (a line of PRAGMA foreign_key_check)."""

from __future__ import annotations

from typing import Any


def describe_dangling(conn: Any, table: str, rowid: int, parent: str, fkid: int) -> str:
    """`mentions row 17: coder_id 999 refers to no row of coders`. `conn` is a DB-API connection
    or a SQLAlchemy Connection (anything with exec_driver_sql or execute)."""
    run = getattr(conn, "exec_driver_sql", None) or conn.execute
    column = next(row[3] for row in run(f'PRAGMA foreign_key_list("{table}")') if row[0] == fkid)
    value = next(iter(run(f'SELECT "{column}" FROM "{table}" WHERE rowid = ?', (rowid,))), (None,))[0]
    return f"{table} row {rowid}: {column} {value} refers to no row of {parent}"
