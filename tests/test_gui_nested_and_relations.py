"""Nested events and relations in the main window: made with the keyboard and the pane's forms,
shown in the lists and the reader, deleted with Delete, undone with Ctrl+Z (the default codebook
plus what a team's codebook file adds: a Policy reversal's Policy may be a Reassignment event;
relation types Employs and Part of)."""

import pytest
from PySide6.QtCore import Qt

from app.core import paths
from app.core.codebook import apply_codebook, load_codebook
from app.core.codebook.fileformat import save_codebook
from app.core.codebook.spec import RelationTypeSpec
from app.core.project import open_project
from app.ui.annotation_pane import RELATIONS_TAB
from app.ui.main_window import MainWindow


def _with_nesting_and_relations(project, tmp_path):
    """The default codebook with its Policy role taking Reassignment, Workplace policy and Layoff
    events and, in place of its relation types, Employs and Part of, imported as a team would
    import its codebook file."""
    spec = load_codebook(paths.default_codebook_path())
    policy = spec.event_type("Policy reversal").role("Policy")
    policy.accepts_events[:] = ["Reassignment", "Workplace policy", "Layoff"]
    spec.relation_types[:] = [
        RelationTypeSpec("Employs", "#1f77b4", source_accepts=["Organization", "Team/Unit"],
                         target_accepts=["Person", "Worker group", "Job title"]),
        RelationTypeSpec("Part of", "#8c564b", source_accepts=["Team/Unit", "Organization"],
                         target_accepts=["Organization", "Team/Unit"]),
    ]
    target = tmp_path / "codebook.yaml"
    save_codebook(spec, target)
    with project.uow() as session:
        apply_codebook(session, load_codebook(target), target)


@pytest.fixture
def window(qtbot, seeded_project, tmp_path):
    _with_nesting_and_relations(seeded_project, tmp_path)
    path = seeded_project.path
    seeded_project.close()
    win = MainWindow(open_project(path), "ana", testing=True)
    qtbot.addWidget(win)
    win.open_document(1)  # "Meta reverses decision to reassign employees to AI training roles"
    return win


def _etype(win, name):
    return next(t.id for t in win.workspace.codebook.event_types if t.name == name)


def _type(win, name):
    return next(t.id for t in win.workspace.codebook.entity_types if t.name == name)


def _select(win, needle, nth=0):
    text = win.reader.text
    i = -1
    for _ in range(nth + 1):
        i = text.index(needle, i + 1)
    win.reader.select_cp(i, i + len(needle))


def test_a_policy_reversal_takes_the_reassignment_event_as_its_policy(window):
    _select(window, "reassign", 1)
    window.create_event(_etype(window, "Reassignment"))
    inner = window.selected_event_id()
    _select(window, "reverses", 1)
    window.create_event(_etype(window, "Policy reversal"))
    outer = window.selected_event_id()
    combo = window.pane.event_form.role_combos["Policy"]
    index = next(i for i in range(combo.count()) if combo.itemData(i) == ("event", inner))
    assert combo.itemText(index).startswith("⟶ Reassignment “reassign”")
    combo.activated.emit(index)  # the user chooses it
    assert window.last_error is None
    (event,) = [e for e in window.session.state.events if e.id == outer]
    (arg,) = event.arguments
    assert (arg.role, arg.argument_event_id, arg.mention_id) == ("Policy", inner, None)
    assert "Reassignment" in window.pane.event_model.index(window.pane.event_model.row_of(outer)).data()
    # the inner event is no longer offered for the role it fills, and the outer one never is for itself
    combo = window.pane.event_form.role_combos["Policy"]
    assert ("event", inner) not in [combo.itemData(i) for i in range(combo.count())]
    # deleting the Reassignment empties the role; Ctrl+Z brings both back
    window.select_event(inner)
    window.pane.tabs.setCurrentIndex(1)
    window.run(window.delete_selected)
    assert [a for e in window.session.state.events for a in e.arguments] == []
    window.run(window.undo)
    (event,) = [e for e in window.session.state.events if e.id == outer]
    assert [a.argument_event_id for a in event.arguments] == [inner]


def test_a_cycle_is_refused_with_a_message_and_nothing_changes(window):
    _select(window, "reverses", 1)
    window.create_event(_etype(window, "Policy reversal"))
    first = window.selected_event_id()
    _select(window, "reassign", 1)
    window.create_event(_etype(window, "Reassignment"))
    policy = next(r.id for t in window.workspace.codebook.event_types if t.name == "Policy reversal"
                  for r in t.roles if r.name == "Policy")
    window.run(lambda: window.workspace.add_argument(first, policy, argument_event_id=first))
    assert window.last_error and "own argument" in window.last_error
    assert all(not e.arguments for e in window.session.state.events)


def test_a_relation_is_made_from_the_selected_mention_with_the_keyboard(window, qtbot):
    _select(window, "Meta", 1)
    window.tag_selection(_type(window, "Organization"))
    source = window.selected_mention_id()
    _select(window, "Applied AI (AAI) task force")
    window.tag_selection(_type(window, "Team/Unit"))
    unit = window.selected_mention_id()
    window.select_mention(unit)
    window.action_relation.trigger()  # Ctrl+R: from the selected mention
    assert window.pane.tabs.currentIndex() == RELATIONS_TAB
    form = window.pane.relation_form
    form.type_combo.setCurrentIndex(form.type_combo.findText("Part of"))
    assert form.target_combo.itemData(0) == source  # the Organization nearest first
    qtbot.keyClick(form, Qt.Key.Key_Return)
    assert window.last_error is None
    (relation,) = window.session.state.relations
    assert (relation.type_name, relation.source_mention_id, relation.target_mention_id) == ("Part of", unit, source)
    assert window.pane.relation_model.rowCount() == 1
    assert window.pane.tabs.tabText(RELATIONS_TAB) == "Relations (1)"
    assert "Applied AI (AAI) task force" in window.pane.relation_model.index(0).data()
    # selecting it outlines both mentions; Delete removes it; Ctrl+Z restores it
    window.pane.relation_view.setCurrentIndex(window.pane.relation_model.index(0))
    starts = {window.session.state.mention(i).start for i in (source, unit)}
    assert {r[0] for r in window.reader._emphasis} == starts
    window.run(window.delete_selected)
    assert window.session.state.relations == [] and window.pane.tabs.tabText(RELATIONS_TAB) == "Relations (0)"
    window.run(window.undo)
    assert [r.id for r in window.session.state.relations] == [relation.id]
    # deleting a mention of the relation takes it along; undo brings both
    window.pane.tabs.setCurrentIndex(0)
    window.select_mention(source)
    window.run(window.delete_selected)
    assert window.session.state.relations == []
    window.run(window.undo)
    assert [r.id for r in window.session.state.relations] == [relation.id]


def test_a_relation_type_that_does_not_accept_the_source_is_not_offered(window):
    _select(window, "Meta", 0)
    window.tag_selection(_type(window, "Organization"))
    window.action_relation.trigger()
    form = window.pane.relation_form
    assert [form.type_combo.itemText(i) for i in range(form.type_combo.count())] == ["Employs", "Part of"]
    _select(window, "7,000")
    window.tag_selection(_type(window, "Quantity"))
    window.action_relation.trigger()
    assert form.type_combo.count() == 0 and not form.add_button.isEnabled()
