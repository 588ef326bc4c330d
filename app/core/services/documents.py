"""Importing plain-text documents, one committed transaction per file."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.bounded_read import read_regular_file
from app.core.decoding import decode_bytes
from app.core.errors import ImportRejected
from app.core.models import Document
from app.core.project import Project
from app.core.search_index import sync_search_index
from app.core.text import (
    base_direction,
    detect_language,
    first_line_title,
    normalize_newlines,
    sha256_text,
)

TEXT_SUFFIXES = (".txt", ".md")


@dataclass(frozen=True)
class ImportOutcome:
    status: str  # "imported", "skipped" or "rejected"
    path: Path
    detail: str
    document_id: int | None = None

    def line(self) -> str:
        return f"{self.status}\t{self.path}\t{self.detail}"


def collect_paths(
    paths: Iterable[os.PathLike[str] | str], unlisted: list[ImportOutcome] | None = None
) -> Iterator[Path]:
    """Files named directly, and `.txt`/`.md` files below named folders (sorted, recursive).

    Symbolic links to folders are not followed. A folder that cannot be listed is
    added to `unlisted` (when given) as a rejected outcome, and the walk goes on.
    """

    def note(exc: OSError) -> None:
        if unlisted is not None:
            unlisted.append(ImportOutcome("rejected", Path(exc.filename or "?"),
                                          f"cannot list folder: {exc.strerror or exc}"))

    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path, onerror=note):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.lower().endswith(TEXT_SUFFIXES) and not name.startswith("."):
                        yield Path(dirpath) / name
        else:
            yield path


def find_by_sha(session: Session, sha: str) -> Document | None:
    return session.scalar(select(Document).where(Document.sha256 == sha))


def add_document(session: Session, text: str, filename: str, encoding: str = "utf-8") -> tuple[Document, bool]:
    """Store normalised `text` as a document, or return the existing one with the same content.

    Returns the document and whether it was newly added.
    """
    text = normalize_newlines(text)
    if not text.strip():
        raise ImportRejected("empty or whitespace-only text")
    if "\x00" in text and session.get_bind().dialect.name == "postgresql":
        raise ImportRejected("it holds NUL characters (U+0000), which a project on a PostgreSQL server cannot store")
    sha = sha256_text(text)
    existing = find_by_sha(session, sha)
    if existing is not None:
        return existing, False
    doc = Document(
        title=first_line_title(text) or filename,
        filename=filename,
        language=detect_language(text),
        direction=base_direction(text),
        source_encoding=encoding,
        chars=len(text),
        sha256=sha,
        text=text,
    )
    session.add(doc)
    session.flush()
    return doc, True


def read_text_file(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decoded, normalised text of a file and the encoding used; ImportRejected if it cannot be."""
    data = read_regular_file(path)  # regular files only, at most the size limit
    decoded = decode_bytes(data, encoding)
    return normalize_newlines(decoded.text), decoded.encoding


def import_file(project: Project, path: Path, encoding: str | None = None) -> ImportOutcome:
    """Import one file in its own transaction; never raises for a bad file."""
    try:
        text, used = read_text_file(path, encoding)
        with project.uow() as session:
            doc, added = add_document(session, text, path.name, used)
            sync_search_index(session)
            if not added:
                return ImportOutcome("skipped", path, f"same text as document {doc.id} ({doc.title})", doc.id)
            return ImportOutcome(
                "imported", path,
                f"document {doc.id}: {doc.language}, {doc.direction}, {doc.chars} characters, {used}", doc.id,
            )
    except ImportRejected as exc:
        return ImportOutcome("rejected", path, exc.message)
