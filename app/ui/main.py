"""Starting the desktop application."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QInputDialog, QMessageBox

from app import __version__
from app.core.errors import AnnotaryError
from app.ui import settings
from app.ui.errors import install_excepthook, show_unexpected
from app.ui.fonts import missing_scripts


def ask_coder_name_once() -> str | None:
    name = settings.coder_name()
    while not name:
        text, ok = QInputDialog.getText(
            None, "Welcome to Annotary", "Your name as a coder (recorded with every annotation; "
            "change it later in Edit → Settings):",
        )
        if not ok:
            return None
        name = " ".join(text.split())
    settings.set_coder_name(name)
    return name


def run_gui(project_path: str | None = None) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Annotary")
    app.setOrganizationName("Annotary")
    app.setApplicationVersion(__version__)
    install_excepthook(None)
    from app.ui.main_window import MainWindow, open_startup_project

    try:
        project = open_startup_project(project_path)
    except AnnotaryError as exc:
        QMessageBox.critical(None, "Annotary", str(exc))
        return 1
    except Exception as exc:  # noqa: BLE001
        show_unexpected(exc)
        return 1
    coder = ask_coder_name_once()
    if coder is None:
        project.close()
        return 0
    settings.add_recent_project(str(project.path))
    window = MainWindow(project, coder)
    install_excepthook(window)
    window.show()
    missing = missing_scripts()
    if missing:
        window.statusBar().showMessage(
            f"No installed font covers {', '.join(missing)}: install fonts-noto-core (see README)", 15000
        )
    return app.exec()
