"""Starting the desktop application."""

from __future__ import annotations

import gc
import sys

from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from app import __version__
from app.core.errors import AnnotaryError
from app.core.services.coders import GOLD, check_personal_name
from app.ui import settings, wheel_guard
from app.ui.errors import install_excepthook, show_unexpected
from app.ui.fonts import missing_scripts


def _personal(name: str) -> bool:
    """Whether a person may code under this name; if not, say why."""
    try:
        check_personal_name(name)
    except AnnotaryError as exc:
        QMessageBox.warning(None, "Annotary", str(exc))
        return False
    return True


def ask_coder_name_once() -> str | None:
    name = settings.coder_name()
    while not name or name == GOLD:
        text, ok = QInputDialog.getText(
            None, "Welcome to Annotary", "Your name as a coder (recorded with every annotation; "
            "change it later in Edit → Settings):",
        )
        if not ok:
            return None
        name = " ".join(text.split())
        if name and not _personal(name):
            name = ""
    settings.set_coder_name(name)
    return name


def choose_coder(project_coders: list[str], preset: str | None = None, project_path: str | None = None) -> str | None:
    """Who codes in this session. Given on the command line, it is used as it is; in a project
    several coders share (coders take turns on one machine), each start asks, with the last
    coder first; otherwise the remembered name is used (asked once)."""
    mine = settings.project_coder(project_path) if project_path else ""  # who coded here last time
    if preset and preset.strip():
        name = check_personal_name(preset)
        settings.set_coder_name(name)
        return name
    if len(project_coders) < 2:
        if mine and mine != GOLD and (not project_coders or mine in project_coders):
            return mine  # the name this project was coded under, not the one typed for another project
        return ask_coder_name_once()
    last = mine or settings.coder_name()
    names = sorted(project_coders, key=lambda n: (n != last, n.casefold()))
    while True:
        text, ok = QInputDialog.getItem(
            None, "Who is coding?", "This project is shared by several coders. Choose your name, or type a new one:",
            names, 0, True,
        )
        name = " ".join((text or "").split())
        if not ok or not name:
            return None
        if _personal(name):
            settings.set_coder_name(name)
            return name


def run_gui(project_path: str | None = None, coder: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Annotary")
    app.setOrganizationName("Annotary")
    app.setApplicationVersion(__version__)
    install_excepthook(None)
    wheel_guard.install(app)  # before the first dialog: stray wheel input changes no value
    from app.ui.main_window import MainWindow, open_startup_project

    try:
        project = open_startup_project(project_path)
    except AnnotaryError as exc:
        QMessageBox.critical(None, "Annotary", str(exc))
        return 1
    except Exception as exc:  # noqa: BLE001 - logged and shown with its details
        show_unexpected(exc)
        return 1
    from app.core.server.identity import coder_for
    from app.core.services.coders import human_coder_names

    if project.on_server:  # the coder is who the connection logs in as: nobody is asked
        try:
            coder = coder_for(project, coder)
        except AnnotaryError as exc:
            project.close()
            QMessageBox.critical(None, "Annotary", str(exc))
            return 1
    else:
        with project.read() as session:
            known = human_coder_names(session)
        coder = choose_coder(known, coder, project.address)
        if coder is None:
            project.close()
            return 0
        settings.set_project_coder(project.address, coder)
    settings.add_recent_project(project.address)
    window = MainWindow(project, coder)
    install_excepthook(window)
    window.show()
    gc.freeze()  # what startup made lives as long as the app: later full collections skip it (tens of ms)
    window.tell_about_upgrade(project)
    missing = missing_scripts()
    if missing:
        window.statusBar().showMessage(
            f"No installed font covers {', '.join(missing)}: install fonts-noto-core (see README)", 15000
        )
    return app.exec()
