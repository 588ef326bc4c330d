"""A corpus with many mention attributes (brat's TDT has twenty) never squeezes the mention form's
rows together: the form scrolls under the table, and takes no room without attributes."""

from pathlib import Path

from PySide6.QtWidgets import QApplication, QComboBox, QScrollArea

from app.core.interchange.brat import import_brat
from app.ui.main_window import MainWindow

TDT = Path(__file__).parent / "data" / "brat" / "real" / "TDT"


def _settle():
    for _ in range(3):
        QApplication.processEvents()


def test_twenty_attributes_scroll_instead_of_squeezing(qtbot, empty_project):
    import_brat(empty_project, TDT, "ana")
    window = MainWindow(empty_project, "ana", testing=True)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.open_document(1)
    window.select_mention(window.session.mentions[3].id)
    _settle()
    form = window.pane.mention_form
    combos = form.findChildren(QComboBox)
    assert len(combos) >= 15
    assert all(c.height() >= c.minimumSizeHint().height() for c in combos)  # no row squeezed
    scroll = window.findChild(QScrollArea, "mention-form-scroll")
    assert 0 < scroll.height() < form.height()  # it scrolls
    assert window.pane.mention_view.height() > 0


def test_without_mention_attributes_the_form_takes_no_room(qtbot, seeded_project):
    window = MainWindow(seeded_project, "ana", testing=True)
    qtbot.addWidget(window)
    window.resize(1400, 900)
    window.show()
    window.open_document(1)
    _settle()
    assert window.findChild(QScrollArea, "mention-form-scroll").height() == 0
