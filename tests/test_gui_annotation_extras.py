"""The annotation pane shows a mention's (an event's) external references and typed notes,
read-only and selectable, hidden when there are none; deleting the annotation and undoing
shows them again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from sqlalchemy import select

from app.core.interchange.brat import import_brat
from app.core.models import Mention
from app.core.project import open_project
from app.core.services import history as h
from app.core.services.projects import init_project
from app.ui.annotation_pane import RELATIONS_TAB
from app.ui.coding_session import CodingSession
from app.ui.extras_box import ExtrasBox
from app.ui.main_window import MainWindow

REFS = Path(__file__).parent / "data" / "brat" / "refs"


@pytest.fixture
def refs_path(tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(REFS, folder)
    path = tmp_path / "refs.annotary"
    with init_project(path, empty=True) as project:
        import_brat(project, folder, "ana")
    return path


@pytest.fixture
def window(qtbot, refs_path):
    win = MainWindow(open_project(refs_path), "ana", testing=True)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.open_document(1)
    return win


def _mention(win, text: str) -> int:
    return next(m.id for m in win.session.mentions if m.text == text)


def _shown(label) -> str | None:
    return label.text() if label.isVisibleTo(label.window()) else None


def test_the_mention_form_shows_references_and_typed_notes_and_hides_when_none(window):
    form = window.pane.mention_form
    window.select_mention(_mention(window, "Okafor"))
    assert form.isVisible()  # the brat codebook has no mention attributes: shown for the note
    assert _shown(form.extras.notes) == "Lemma: okafor" and _shown(form.extras.references) is None
    assert form.extras.notes.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    window.select_mention(_mention(window, "Mara Okafor"))
    assert _shown(form.extras.references) == "Wikidata:Q000001 — Mara Okafor"
    assert _shown(form.extras.notes) is None
    window.select_mention(_mention(window, "mayor"))
    assert not form.extras.isVisible() and not form.isVisible()  # nothing to show: the table keeps its room


def test_deleting_a_normalised_mention_and_undo_show_its_reference_again(window):
    form = window.pane.mention_form
    mara = _mention(window, "Mara Okafor")
    window.select_mention(mara)
    window.run(window.delete_selected)
    assert window.last_error is None and mara not in [m.id for m in window.session.mentions]
    assert form.extras.owner_id != mara and "Mara Okafor" not in form.extras.references.text()
    window.run(window.undo)
    window.select_mention(mara)
    assert _shown(form.extras.references) == "Wikidata:Q000001 — Mara Okafor"


def test_the_relation_form_shows_the_sources_references(window):
    window.select_mention(_mention(window, "Lisbon"))
    window.pane.tabs.setCurrentIndex(RELATIONS_TAB)
    form = window.pane.relation_form
    assert _shown(form.extras.references) == "Wikipedia:18145 — Lisbon"
    window.select_mention(_mention(window, "mayor"))
    assert not form.extras.isVisible()


def test_the_event_form_shows_the_events_notes_below_its_roles(window):
    met = next(e.id for e in window.session.state.events if e.trigger_text == "met")
    window.pane.tabs.setCurrentIndex(1)
    window.select_event(met)
    form = window.pane.event_form
    assert _shown(form.extras.notes) == "Source: city hall press release\nLemma: meet"
    layout = form._layout
    assert layout.indexOf(form.extras) == layout.count() - 1  # below the roles the form rebuilt


def test_the_box_follows_the_change_channel_for_its_annotation(qtbot, refs_path):
    project = open_project(refs_path)
    session = CodingSession(project, "ana")
    box = ExtrasBox("mention")
    qtbot.addWidget(box)
    box.bind(session)
    with project.read() as s:
        mara = s.scalars(select(Mention.id).where(Mention.text == "Mara Okafor")).one()
    box.show_owner(mara)
    assert box.extras.references == ("Wikidata:Q000001 — Mara Okafor",)
    session.workspace.history.run(h.DeleteMention(mara))  # nobody calls show_owner again
    assert not box.extras and box.isHidden()
    session.workspace.history.undo()
    assert box.extras.references == ("Wikidata:Q000001 — Mara Okafor",) and not box.isHidden()
    project.close()
