"""brat interchange of nested events: an E line's role filled by another event."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.errors import AnnotationInputError
from app.core.interchange.brat import export_brat, import_brat
from app.core.models import Event, EventArgument
from project_reads import row_counts

TEXT = "IL-10 expression is induced by TNF.\n"
CONF = ("[entities]\nProtein\n[relations]\n[events]\nGene_expression\tTheme:Protein\n"
        "Positive_regulation\tTheme:<EVENT>|Protein, Cause?:<EVENT>|Protein\n[attributes]\n")
ANN = ("T1\tProtein 0 5\tIL-10\nT2\tGene_expression 6 16\texpression\nT3\tPositive_regulation 20 27\tinduced\n"
       "T4\tProtein 31 34\tTNF\nE2\tPositive_regulation:T3 Theme:E1 Cause:T4\nE1\tGene_expression:T2 Theme:T1\n")


def _folder(tmp_path: Path, ann: str, name: str = "in") -> Path:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "annotation.conf").write_text(CONF, encoding="utf-8")
    (folder / "doc.txt").write_text(TEXT, encoding="utf-8")
    (folder / "doc.ann").write_text(ann, encoding="utf-8")
    return folder


def _nested(project) -> list[tuple[str, str]]:
    """(outer trigger, inner trigger) of every role filled by an event."""
    with project.read() as s:
        rows = s.execute(select(EventArgument.event_id, EventArgument.argument_event_id)
                         .where(EventArgument.argument_event_id.is_not(None))).all()
        return sorted((s.get_one(Event, o).trigger_text or "", s.get_one(Event, i).trigger_text or "")
                      for o, i in rows)


def test_an_event_argument_is_stored_even_when_its_e_line_comes_later(empty_project, tmp_path):
    [report] = import_brat(empty_project, _folder(tmp_path, ANN), "alice")
    assert (report.mentions, report.events) == (2, 2)
    assert _nested(empty_project) == [("induced", "expression")]


def test_importing_nested_events_again_adds_nothing(empty_project, tmp_path):
    folder = _folder(tmp_path, ANN)
    import_brat(empty_project, folder, "alice")
    [again] = import_brat(empty_project, folder, "alice")
    assert (again.events, again.skipped_events, again.mentions) == (0, 2, 0)
    assert row_counts(empty_project)["events"] == 2


def test_export_writes_the_event_as_argument_and_imports_back(empty_project, tmp_path):
    import_brat(empty_project, _folder(tmp_path, ANN), "alice")
    export_brat(empty_project, tmp_path / "out")
    ann = (tmp_path / "out" / "doc.ann").read_text(encoding="utf-8")
    assert "Theme:E1" in ann or "Theme:E2" in ann
    assert "Theme:<EVENT>" not in (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8")
    assert "|Gene_expression" in (tmp_path / "out" / "annotation.conf").read_text(encoding="utf-8")
    [again] = import_brat(empty_project, tmp_path / "out", "alice")
    assert (again.events, again.skipped_events) == (0, 2)


def test_a_cycle_of_events_is_refused_with_file_and_line(empty_project, tmp_path):
    ann = ("T1\tProtein 0 5\tIL-10\nT3\tPositive_regulation 20 27\tinduced\n"
           "E1\tPositive_regulation:T3 Theme:E2\nE2\tPositive_regulation:T3 Theme:E1\n")
    with pytest.raises(AnnotationInputError) as info:
        import_brat(empty_project, _folder(tmp_path, ann), "alice")
    assert info.value.path.endswith("doc.ann") and info.value.line in (3, 4)
    assert "its own argument" in info.value.reason
    assert row_counts(empty_project)["events"] == 0


def test_an_event_in_a_role_taking_entities_only_is_refused(empty_project, tmp_path):
    ann = ANN + "E3\tGene_expression:T2 Theme:E1\n"
    with pytest.raises(AnnotationInputError, match="not Gene_expression events"):
        import_brat(empty_project, _folder(tmp_path, ann), "alice")
