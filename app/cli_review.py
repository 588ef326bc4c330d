"""Subcommands for team work: coders and their roles, project settings, the gold set. Core only."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from app.core.terminal import printable, printable_row

if TYPE_CHECKING:
    from app.core.project import Project

Add = Callable[[str, Callable[[argparse.Namespace], int], str], argparse.ArgumentParser]


def register(add: Add) -> None:
    p = add("coders", cmd_coders, "list the project's coders with their role and work, or add one")
    p.add_argument("action", nargs="?", choices=("list", "add"), default="list")
    p.add_argument("name", nargs="?", metavar="NAME", help="add: the new coder (on a server: a login role)")
    p.add_argument("--role", choices=("coder", "adjudicator"), default="coder", help="add: the new coder's role")
    p.add_argument("--password-stdin", action="store_true",
                   help="add, on a server: read the new login's password from standard input (one line)")
    p.add_argument("--json", action="store_true")

    p = add("role", cmd_role, "make a coder a coder or an adjudicator (adjudicators see everyone's annotations)")
    p.add_argument("name", metavar="NAME")
    p.add_argument("role", choices=("coder", "adjudicator"))

    p = add("setting", cmd_setting, "show the project's settings, or set one (e.g. blind_coding off)")
    p.add_argument("key", nargs="?", metavar="KEY")
    p.add_argument("value", nargs="?", metavar="VALUE")

    p = add("gold", cmd_gold, "the gold set: unresolved disagreements per document, or accept all agreements")
    p.add_argument("action", choices=("status", "accept-agreements"))
    p.add_argument("--document", type=int, metavar="ID", help="only this document")
    p.add_argument("--json", action="store_true", help="status as JSON")


def _open(args: argparse.Namespace) -> Project:
    from app.cli import _open as open_for_args

    return open_for_args(args)


def cmd_coders(args: argparse.Namespace) -> int:
    from app.core.models import Coder, DocumentStatus, Event, Mention

    if args.action == "add":
        return _add_coder(args)
    if args.name is not None:
        from app.core.errors import AnnotaryError

        raise AnnotaryError(f"'coders {args.name}': to add a coder, write 'coders add {args.name}'")

    with _open(args) as project, project.read() as s:
        def per_coder(query: Any) -> dict[int, int]:
            return dict(s.execute(query).all())

        worked = per_coder(select(DocumentStatus.coder_id, func.count()).group_by(DocumentStatus.coder_id))
        done = per_coder(select(DocumentStatus.coder_id, func.count()).where(DocumentStatus.status == "done")
                         .group_by(DocumentStatus.coder_id))
        mentions = per_coder(select(Mention.coder_id, func.count()).group_by(Mention.coder_id))
        events = per_coder(select(Event.coder_id, func.count()).group_by(Event.coder_id))
        rows = [{"name": c.name, "role": c.role, "documents": worked.get(c.id, 0), "done": done.get(c.id, 0),
                 "mentions": mentions.get(c.id, 0), "events": events.get(c.id, 0)}
                for c in s.scalars(select(Coder).order_by(Coder.name))]
    if args.json:
        json.dump(rows, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print("name\trole\tdocuments\tdone\tmentions\tevents")
    for r in rows:
        print(printable_row(*r.values()))
    return 0


def _add_coder(args: argparse.Namespace) -> int:
    from app.core.errors import AnnotaryError
    from app.core.services.coders import get_or_create_coder, set_role

    if not args.name:
        raise AnnotaryError("name the coder to add: annotary coders add NAME [--role coder|adjudicator]")
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    if password == "":
        raise AnnotaryError("--password-stdin read an empty password")
    with _open(args) as project:
        if project.on_server:
            from app.core.server.roles import add_coder

            with project.engine.begin() as conn:
                database = str(conn.exec_driver_sql("SELECT current_database()").scalar())
                name = add_coder(conn, database, args.name, args.role, password)
            where = "a login role on the server"
        else:
            if password is not None:
                raise AnnotaryError("a project file has no logins: --password-stdin is for server projects")
            with project.uow() as s:
                name = set_role(s, get_or_create_coder(s, args.name).name, args.role).name
            where = "registered in the project file"
    print(printable(f"{name} added as {'an' if args.role == 'adjudicator' else 'a'} {args.role} ({where})"))
    return 0


def cmd_role(args: argparse.Namespace) -> int:
    from app.core.services.coders import set_role

    with _open(args) as project:
        if project.on_server:
            from app.core.server.roles import set_role as set_server_role

            with project.engine.begin() as conn:
                database = str(conn.exec_driver_sql("SELECT current_database()").scalar())
                set_server_role(conn, database, args.name, args.role)
            print(f"{printable(args.name)} is now {'an' if args.role == 'adjudicator' else 'a'} {args.role}")
            return 0
        with project.uow() as s:
            coder = set_role(s, args.name, args.role)
            print(f"{printable(coder.name)} is now {'an' if coder.role == 'adjudicator' else 'a'} {coder.role}")
    return 0


def cmd_setting(args: argparse.Namespace) -> int:
    from app.core.errors import AnnotaryError
    from app.core.services.project_settings import (
        DESCRIPTIONS,
        all_settings,
        get_setting,
        set_setting,
    )

    with _open(args) as project:
        if args.key is None:
            with project.read() as s:
                for key, value in all_settings(s).items():
                    print(printable_row(key, value, DESCRIPTIONS[key]))
            return 0
        if args.value is None:
            with project.read() as s:
                print(printable(get_setting(s, args.key)))
            return 0
        if args.value.strip() == "":
            raise AnnotaryError("a setting needs a value")
        with project.uow() as s:
            set_setting(s, args.key, args.value)
            print(printable_row(args.key, get_setting(s, args.key)))
    return 0


def cmd_gold(args: argparse.Namespace) -> int:
    from app.core.errors import AnnotaryError
    from app.core.models import Document
    from app.core.services.adjudication import accept_agreements_in_documents
    from app.core.services.review_items import count_reviews

    with _open(args) as project:
        with project.read() as s:
            ids = list(s.scalars(select(Document.id).order_by(Document.id)))
        if args.document is not None:
            if args.document not in ids:
                raise AnnotaryError(f"no document with id {args.document}")
            ids = [args.document]
        if args.action == "accept-agreements":
            by = None
            if project.on_server:  # who settled it: the login (a file's command line names nobody)
                from app.core.server.identity import coder_for
                from app.core.server.roles import require_adjudicator

                with project.engine.connect() as conn:  # a coder sees only their own work: nothing to settle
                    require_adjudicator(conn)
                by = coder_for(project, None)
            with project.uow() as s:
                accepted, failed = accept_agreements_in_documents(s, ids, by)
            print(f"accepted {accepted} agreed annotation(s) into gold")
            for doc_id, reason in failed.items():
                print(f"annotary: document {doc_id} left as it was: {printable(reason)}", file=sys.stderr)
            return 1 if failed else 0
        with project.read() as s:
            reviews = [r for r in count_reviews(s, ids) if len(r.coders) >= 2]
    rows: list[dict[str, Any]] = [{"document_id": r.document_id, "coders": r.coders, "disagreements": r.disagreements,
             "unresolved": r.unresolved, "agreed_not_in_gold": r.agreed_pending} for r in reviews]
    total = {"documents": len(rows), "unresolved": sum(r["unresolved"] for r in rows),
             "documents_with_unresolved": sum(1 for r in rows if r["unresolved"])}
    if args.json:
        json.dump({"documents": rows, "total": total}, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    print("document\tcoders\tdisagreements\tunresolved\tagreed_not_in_gold")
    for r in rows:
        print(printable_row(r["document_id"], ",".join(r["coders"]), r["disagreements"], r["unresolved"],
                            r["agreed_not_in_gold"]))
    print(f"total: {total['unresolved']} unresolved disagreement(s) in {total['documents_with_unresolved']} of "
          f"{total['documents']} document(s) with two or more coders")
    return 0
