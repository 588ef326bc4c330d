"""brat equivalences (*), normalisations (N) and typed notes (#) kept in their own tables and
written back exactly (tests/data/brat/refs is a synthetic case: our own text)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.errors import AnnotationInputError
from app.core.interchange.brat import export_brat, import_brat
from app.core.interchange.brat_conf import parse_annotation_conf
from app.core.models import AnnotationNote, ExternalReference, Mention, Relation, RelationType
from app.core.services.projects import init_project
from project_reads import row_counts
from test_brat_real_corpora import _meaning

REFS = Path(__file__).parent / "data" / "brat" / "refs"


def _copy(tmp_path: Path, name: str = "in") -> Path:
    folder = tmp_path / name
    shutil.copytree(REFS, folder)
    return folder


def _folder(tmp_path: Path, conf: str, ann: str, text: str = "Mara Okafor met M. Okafor and Okafor.\n") -> Path:
    folder = tmp_path / "made"
    folder.mkdir()
    (folder / "annotation.conf").write_text(conf, encoding="utf-8")
    (folder / "doc.txt").write_text(text, encoding="utf-8")
    (folder / "doc.ann").write_text(ann, encoding="utf-8")
    return folder


CONF = "[entities]\nPerson\n[relations]\nAlias\tArg1:Person, Arg2:Person, <REL-TYPE>:symmetric-transitive\n"


def test_refs_round_trip_keeps_every_line(empty_project, tmp_path):
    [report] = import_brat(empty_project, _copy(tmp_path), "alice")
    assert (report.mentions, report.events, report.relations, report.references) == (6, 2, 3, 4)
    assert not any("not kept" in m for m in report.messages), report.messages
    with empty_project.read() as s:
        notes = sorted((n.type, n.text) for n in s.scalars(select(AnnotationNote)))
        refs = sorted((r.type, r.resource, r.identifier, r.text) for r in s.scalars(select(ExternalReference)))
        alias = s.scalar(select(RelationType).where(RelationType.name == "Alias"))
        assert alias is not None and alias.transitive and alias.symmetric
        mention_notes = [m.note for m in s.scalars(select(Mention).order_by(Mention.start))]
    assert notes == [("Confidence", "high"), ("Lemma", "meet"), ("Lemma", "okafor"),
                     ("Source", "city hall press release")]
    assert refs == [("Reference", "Events", "strike-porto", "Porto strike"),
                    ("Reference", "GeoNames", "2735943", None),
                    ("Reference", "Wikidata", "Q000001", "Mara Okafor"),
                    ("Reference", "Wikipedia", "18145", "Lisbon")]
    assert "full name" in mention_notes  # AnnotatorNotes stay the note
    out = tmp_path / "out"
    export_brat(empty_project, out)
    assert _meaning(out / "okafor.ann") == _meaning(REFS / "okafor.ann")
    written = (out / "okafor.ann").read_text(encoding="utf-8")
    assert re.search(r"\tReference T\d+ GeoNames:2735943\n", written)  # no text column when the N line had none
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert "Alias\tArg1:Person, Arg2:Person, <REL-TYPE>:symmetric-transitive" in conf


def test_importing_the_export_again_adds_nothing(empty_project, tmp_path):
    import_brat(empty_project, _copy(tmp_path), "alice")
    before = row_counts(empty_project)
    [again] = import_brat(empty_project, _copy(tmp_path, "again"), "alice")
    assert row_counts(empty_project) == before
    assert again.relations == 0 and again.references == 0 and again.skipped_relations == 3
    export_brat(empty_project, tmp_path / "out")
    [third] = import_brat(empty_project, tmp_path / "out", "alice")
    assert row_counts(empty_project) == before and third.references == 0


def test_new_references_and_notes_of_a_mention_already_there_are_added(empty_project, tmp_path):
    folder = _folder(tmp_path, CONF, "T1\tPerson 0 11\tMara Okafor\n")
    import_brat(empty_project, folder, "alice")
    (folder / "doc.ann").write_text("T1\tPerson 0 11\tMara Okafor\nN1\tReference T1 Wikidata:Q1\n"
                                    "#1\tLemma T1\tokafor\n", encoding="utf-8")
    [r] = import_brat(empty_project, folder, "alice")
    assert (r.mentions, r.skipped_mentions, r.references, r.notes) == (0, 1, 1, 1)
    assert row_counts(empty_project)["external_references"] == 1
    [r] = import_brat(empty_project, folder, "alice")
    assert (r.references, r.notes) == (0, 0)


def test_an_equivalence_is_a_chain_of_relations_and_one_star_line_per_group(empty_project, tmp_path):
    ann = "T1\tPerson 0 4\tMara\nT2\tPerson 16 25\tM. Okafor\nT3\tPerson 30 36\tOkafor\n*\tAlias T3 T1 T2\n"
    import_brat(empty_project, _folder(tmp_path, CONF, ann, "Mara Okafor met M. Okafor and Okafor.\n"), "alice")
    with empty_project.read() as s:
        pairs = sorted((s.get_one(Mention, r.source_mention_id).text, s.get_one(Mention, r.target_mention_id).text)
                       for r in s.scalars(select(Relation)))
    assert pairs == [("Mara", "M. Okafor"), ("Okafor", "Mara")]
    export_brat(empty_project, tmp_path / "out")
    lines = (tmp_path / "out" / "doc.ann").read_text(encoding="utf-8").splitlines()
    assert [line for line in lines if line.startswith(("*", "R"))] == ["*\tAlias T1 T2 T3"]


def test_two_star_lines_of_one_group_store_no_relation_twice(empty_project, tmp_path):
    ann = ("T1\tPerson 0 4\tMara\nT2\tPerson 16 25\tM. Okafor\nT3\tPerson 30 36\tOkafor\n"
           "*\tAlias T1 T2\n*\tAlias T2 T1 T3\n")
    [r] = import_brat(empty_project, _folder(tmp_path, CONF, ann), "alice")
    assert r.relations == 2  # T1-T2, then T3 joins the group


def test_a_star_line_of_a_type_that_is_not_transitive_is_refused(empty_project, tmp_path):
    conf = "[entities]\nPerson\n[relations]\nAlias\tArg1:Person, Arg2:Person\n"
    ann = "T1\tPerson 0 4\tMara\nT2\tPerson 16 25\tM. Okafor\n*\tAlias T1 T2\n"
    with pytest.raises(AnnotationInputError, match=r"doc\.ann:3: \*: Alias is a relation type that is not transitive"):
        import_brat(empty_project, _folder(tmp_path, conf, ann), "alice")
    assert row_counts(empty_project)["relations"] == 0


def test_a_star_line_of_an_unknown_type_is_told_like_an_unknown_relation(empty_project, tmp_path):
    ann = "T1\tPerson 0 4\tMara\nT2\tPerson 16 25\tM. Okafor\n*\tSame T1 T2\n"
    [r] = import_brat(empty_project, _folder(tmp_path, CONF, ann), "alice")
    assert r.relations == 0
    assert ("1 equivalence(s) of an unknown type, or of what the type does not accept, not kept yet (line 3)"
            in r.messages)


@pytest.mark.parametrize("line, problem", [
    ("N1\tReference T1\tMara", "N1: expected 'Type Id Resource:Identifier'"),
    ("N1\tReference T1 Wikidata\tMara", "expected 'Type Id Resource:Identifier'"),
    ("N1\tReference T9 Wikidata:Q1", "N1: normalisation of unknown id T9"),
    ("*\tAlias T1", "an equivalence of two or more ids"),
    ("*\tAlias T1 T9", r"\*: unknown id T9"),
])
def test_bad_star_and_n_lines_are_refused_naming_the_line(empty_project, tmp_path, line, problem):
    ann = f"T1\tPerson 0 4\tMara\n{line}\n"
    with pytest.raises(AnnotationInputError, match=rf"doc\.ann:2: .*{problem}"):
        import_brat(empty_project, _folder(tmp_path, CONF, ann), "alice")
    assert row_counts(empty_project)["mentions"] == 0


def test_conf_reads_symmetric_transitive(tmp_path):
    path = tmp_path / "annotation.conf"
    path.write_text(CONF + "Knows\tArg1:Person, Arg2:Person, <REL-TYPE>:symmetric\nBoss\tArg1:Person, Arg2:Person\n",
                    encoding="utf-8")
    conf = parse_annotation_conf(path)
    assert conf.transitive == {"Alias"} and conf.symmetric == {"Alias", "Knows"}


def test_typed_notes_survive_an_import_into_a_fresh_project_and_export(tmp_path):
    project = init_project(tmp_path / "p.annotary", empty=True)
    try:
        import_brat(project, _copy(tmp_path), "alice")
        export_brat(project, tmp_path / "out")
    finally:
        project.close()
    written = (tmp_path / "out" / "okafor.ann").read_text(encoding="utf-8")
    assert "\tConfidence R1\thigh\n" in written and "\tAnnotatorNotes R1\tfrom the second paragraph\n" in written
