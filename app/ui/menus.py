"""The main window's menus and toolbar: every action, its key and the command it runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from app.core.services.coders import GOLD
from app.ui import file_actions, report_action, review_actions, shortcuts
from app.ui.annotation_pane import RELATIONS_TAB

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

Shortcut = str | QKeySequence | QKeySequence.StandardKey | None


def add(window: MainWindow, menu: QMenu, text: str, slot: Callable[[], object], shortcut: Shortcut = None) -> QAction:
    """An action that runs `slot` as a user command (errors become messages)."""
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.triggered.connect(lambda _=False: window.run(slot))
    menu.addAction(action)
    return action


def build_menus(w: MainWindow) -> None:
    bar = w.menuBar()
    cmd = w.commands

    file_menu = bar.addMenu("&File")
    add(w, file_menu, "&New project…", w.new_project, QKeySequence.StandardKey.New)
    add(w, file_menu, "&Open project…", w.ask_open_project, QKeySequence.StandardKey.Open)
    add(w, file_menu, "Open &team project…", w.ask_open_team_project)
    w.recent_menu = file_menu.addMenu("Open &recent")
    w.recent_menu.aboutToShow.connect(w.fill_recent)
    file_menu.addSeparator()
    w.action_import = add(w, file_menu, "&Import documents…", lambda: file_actions.ask_import_documents(w), "Ctrl+I")
    add(w, file_menu, "Import a &folder…", lambda: file_actions.ask_import_documents(w, folder=True))
    ann = file_menu.addMenu("Import &annotations")
    add(w, ann, "brat folder…", lambda: file_actions.ask_import_annotations(w, "brat"))
    add(w, ann, "doccano JSONL…", lambda: file_actions.ask_import_annotations(w, "doccano"))
    exp = file_menu.addMenu("&Export")
    w.action_export = add(w, exp, "Excel workbook…", lambda: file_actions.ask_export(w, "xlsx"), "Ctrl+E")
    add(w, exp, "Excel workbook, gold set only…", lambda: file_actions.ask_export(w, "xlsx", coder=GOLD))
    add(w, exp, "brat folder…", lambda: file_actions.ask_export(w, "brat"))
    add(w, exp, "doccano JSONL…", lambda: file_actions.ask_export(w, "doccano"))
    cb = file_menu.addMenu("&Codebook")
    add(w, cb, "Import codebook…", lambda: file_actions.ask_codebook_import(w))
    add(w, cb, "Export codebook…", lambda: file_actions.ask_codebook_export(w))
    file_menu.addSeparator()
    add(w, file_menu, "&Merge a coder's copy…", lambda: file_actions.ask_merge(w))
    file_menu.addSeparator()
    add(w, file_menu, "&Quit", w.close, QKeySequence.StandardKey.Quit)

    edit = bar.addMenu("&Edit")
    w.action_undo = add(w, edit, "&Undo", cmd.undo, QKeySequence.StandardKey.Undo)
    w.action_redo = add(w, edit, "&Redo", cmd.redo, "Ctrl+Shift+Z")
    w.action_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    edit.addSeparator()
    w.action_delete = add(w, edit, "&Delete selected annotation", cmd.delete_selected)
    w.action_delete.setShortcuts([QKeySequence(Qt.Key.Key_Delete), QKeySequence(Qt.Key.Key_Backspace)])
    w.action_delete.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    for widget in (w.reader, w.pane.mention_view, w.pane.event_view, w.pane.relation_view):
        widget.addAction(w.action_delete)
    edit.addSeparator()
    w.action_codebook = add(w, edit, "&Codebook…", w.show_codebook_editor)
    add(w, edit, "&Settings: coder name…", w.ask_coder_name)

    doc = bar.addMenu("&Document")
    add(w, doc, "&Next document", lambda: w.step_document(1), "Ctrl+PgDown")
    add(w, doc, "&Previous document", lambda: w.step_document(-1), "Ctrl+PgUp")
    add(w, doc, "Mark &done / not done", cmd.toggle_done, "Ctrl+D")
    add(w, doc, "Go to the &reader", lambda: w.reader.setFocus(), "Ctrl+1")
    add(w, doc, "Go to the &events", w.go_to_events, "Ctrl+2")
    add(w, doc, "Go to the document &codes", lambda: w.pane.tabs.setCurrentIndex(2), "Ctrl+3")
    add(w, doc, "Go to the re&lations", lambda: w.pane.tabs.setCurrentIndex(RELATIONS_TAB), "Ctrl+4")
    w.action_relation = add(w, doc, "New &relation from the selected mention", cmd.start_relation, "Ctrl+R")
    add(w, doc, "&Find in this document", w.find_bar.open, QKeySequence.StandardKey.Find)
    add(w, doc, "&Filter documents by title or text (Ctrl+F finds in the open document)",
        lambda: w.filter_box.setFocus(), "Ctrl+Shift+F")

    review = bar.addMenu("&Review")
    add(w, review, "&Agreement…", w.show_agreement)
    w.action_compare = add(w, review, "&Compare coders on this document…", lambda: review_actions.show_compare(w),
                           "Ctrl+K")
    add(w, review, "Code as &gold (edit the adjudicated set)", lambda: review_actions.edit_gold(w, w.require_document()))
    add(w, review, "&Stop coding as gold", lambda: review_actions.stop_gold(w))
    review.addSeparator()
    w.action_blind = QAction("&Blind coding (coders see only their own annotations)", w)
    w.action_blind.setCheckable(True)
    w.action_blind.triggered.connect(lambda checked: w.run(lambda: review_actions.set_blind_coding(w, checked)))
    review.addAction(w.action_blind)
    review.aboutToShow.connect(lambda: review_actions.sync_blind_action(w))
    add(w, review, "Coders and &roles…", lambda: review_actions.ask_role(w))
    review.addSeparator()
    add(w, review, "Reliability &report (a web page for the methods section)…", lambda: report_action.ask_report(w))

    view = bar.addMenu("&View")
    w.action_zoom_in = add(w, view, "Zoom &in", lambda: shortcuts.zoom(w.reader, 1), "Ctrl+=")
    w.action_zoom_in.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
    add(w, view, "Zoom &out", lambda: shortcuts.zoom(w.reader, -1), "Ctrl+-")
    add(w, view, "&Normal size", lambda: shortcuts.zoom(w.reader, 0), "Ctrl+0")

    help_menu = bar.addMenu("&Help")
    add(w, help_menu, "&Keyboard shortcuts", lambda: shortcuts.ShortcutsDialog(w).exec(), "F1")
    add(w, help_menu, "&About Annotary", w.about)

    toolbar = w.addToolBar("Main")
    toolbar.setObjectName("main-toolbar")
    toolbar.addAction(w.action_import)
    toolbar.addAction(w.action_export)
    toolbar.addSeparator()
    toolbar.addAction(w.action_undo)
    toolbar.addAction(w.action_redo)
