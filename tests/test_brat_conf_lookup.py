"""brat finds annotation.conf in a file's folder or any folder above it; an import of a
sub-folder (CoNLL-ST_2002/esp, whose conf is in CoNLL-ST_2002/) must find it there too."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import AnnotationInputError
from app.core.interchange.brat import import_brat
from project_reads import mentions_of, row_counts

CONF = "[entities]\nORG\nPER\n[relations]\n[events]\n[attributes]\n"


def _corpus(root: Path, conf: str | None) -> Path:
    sub = root / "corpus" / "esp"
    sub.mkdir(parents=True)
    if conf is not None:
        (root / "corpus" / "annotation.conf").write_text(conf, encoding="utf-8")
    (sub / "d1.txt").write_text("Telefónica contrata a Ana.\n", encoding="utf-8")
    (sub / "d1.ann").write_text("T1\tORG 0 10\tTelefónica\nT2\tPER 22 25\tAna\n", encoding="utf-8")
    return sub


def test_conf_above_the_imported_folder_is_used_and_named(empty_project, tmp_path):
    sub = _corpus(tmp_path, CONF)
    result = import_brat(empty_project, sub, "alice")
    assert mentions_of(empty_project, 1) == [("ORG", 0, 10, "Telefónica"), ("PER", 22, 25, "Ana")]
    messages = [m for r in result for m in r.messages]
    assert any(str(tmp_path / "corpus" / "annotation.conf") in m and "above the imported folder" in m
               for m in messages), messages


def test_nearest_conf_wins(empty_project, tmp_path):
    sub = _corpus(tmp_path, "[entities]\nNOTHING\n")
    (sub / "annotation.conf").write_text(CONF, encoding="utf-8")
    import_brat(empty_project, sub, "alice")
    assert len(mentions_of(empty_project, 1)) == 2


def test_without_any_conf_unknown_labels_are_refused(empty_project, tmp_path):
    sub = _corpus(tmp_path, None)
    before = row_counts(empty_project)
    with pytest.raises(AnnotationInputError, match="unknown label 'ORG'"):
        import_brat(empty_project, sub, "alice")
    assert row_counts(empty_project) == before
