"""Cancelling an annotation import half-way stores nothing: the progress callback raises
`ImportCancelled` inside the import's one transaction, which is rolled back, and the project's
content is exactly what it was (a full dump of the database is compared)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from app.core.interchange.brat import import_brat
from app.core.interchange.doccano import import_doccano
from app.core.interchange.import_result import ImportCancelled, cancellable

BRAT = Path(__file__).parent / "data" / "brat"


def dump(project) -> str:
    con = sqlite3.connect(project.path)
    try:
        return "\n".join(con.iterdump())
    finally:
        con.close()


def doccano_file(tmp_path: Path, lines: int = 6) -> Path:
    path = tmp_path / "in.jsonl"
    records = [{"text": f"Meta cut {100 + i} jobs in line {i}.", "label": [[0, 4, "Organization"], [9, 12, "Quantity"]]}
               for i in range(lines)]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def brat_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "brat"
    folder.mkdir()
    for name in ("arabic", "emoji", "crlf"):
        for f in (BRAT / name).iterdir():
            shutil.copy(f, folder / f.name)
    return folder


def cancelling_after(calls: int):
    """A progress callback whose Cancel is pressed once it has been called `calls` times."""
    seen: list[tuple[int, int]] = []
    return cancellable(lambda done, total: seen.append((done, total)), lambda: len(seen) >= calls), seen


def test_cancelled_doccano_import_leaves_the_project_as_it_was(seeded_project, tmp_path):
    path = doccano_file(tmp_path)
    before = dump(seeded_project)
    progress, seen = cancelling_after(3)  # the start, then two of the six lines
    with pytest.raises(ImportCancelled) as info:
        import_doccano(seeded_project, path, "newcomer", progress)
    assert str(info.value) == "Import cancelled; nothing was imported"
    assert seen[-1][0] == 2 and seen[-1][1] == 6  # it was cancelled half-way, after two lines were stored
    assert dump(seeded_project) == before  # neither those lines, nor their documents, nor the new coder
    [report, *_] = import_doccano(seeded_project, path, "newcomer")  # and it imports in full afterwards
    assert report.mentions == 2


def test_cancel_before_the_first_doccano_line_stores_nothing(seeded_project, tmp_path):
    path = doccano_file(tmp_path, lines=1)
    before = dump(seeded_project)
    with pytest.raises(ImportCancelled):
        import_doccano(seeded_project, path, "alice", cancellable(None, lambda: True))
    assert dump(seeded_project) == before


def test_cancelled_brat_import_leaves_the_project_as_it_was(seeded_project, tmp_path):
    folder = brat_folder(tmp_path)
    before = dump(seeded_project)
    progress, seen = cancelling_after(2)  # within the first file, then when it is stored
    with pytest.raises(ImportCancelled):
        import_brat(seeded_project, folder, "newcomer", progress)  # raised within the second file
    assert 0 < seen[-1][0] < seen[-1][1]  # half-way: the first of the three files was stored
    assert dump(seeded_project) == before
    assert len(import_brat(seeded_project, folder, "newcomer")) == 3
