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


def test_a_name_both_entity_and_relation_type_exports_unchanged(empty_project, tmp_path):
    """brat's CoNLL-2006 corpus has `_question_` as an entity type and as a relation type."""
    from app.core.interchange.brat import export_brat

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "annotation.conf").write_text(
        "[entities]\n_question_\nword\n[relations]\n_question_ Arg1:word, Arg2:word\n[events]\n[attributes]\n",
        encoding="utf-8")
    (folder / "d.txt").write_text("temos de parar\n", encoding="utf-8")
    (folder / "d.ann").write_text("T1\tword 0 5\ttemos\nT2\tword 9 14\tparar\nR1\t_question_ Arg1:T1 Arg2:T2\n",
                                  encoding="utf-8")
    import_brat(empty_project, folder, "alice")
    export_brat(empty_project, tmp_path / "out")
    assert "R1\t_question_ Arg1:T1 Arg2:T2" in (tmp_path / "out" / "d.ann").read_text(encoding="utf-8")


def test_an_equivalence_of_a_mention_with_itself_is_left_out_and_said(empty_project, tmp_path):
    """brat's BioNLP ID corpus has `*  Equiv T63 T63`."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "annotation.conf").write_text(
        "[entities]\nProtein\n[relations]\nEquiv Arg1:Protein, Arg2:Protein, <REL-TYPE>:symmetric-transitive\n"
        "[events]\n[attributes]\n", encoding="utf-8")
    (folder / "d.txt").write_text("Omp25d binds\n", encoding="utf-8")
    (folder / "d.ann").write_text("T1\tProtein 0 6\tOmp25d\n*\tEquiv T1 T1\n", encoding="utf-8")
    [report] = import_brat(empty_project, folder, "alice")
    assert report.mentions == 1 and report.relations == 0
    assert any("1 equivalence(s) of an annotation with itself left out" in m and "line 2" in m
               for m in report.messages), report.messages
