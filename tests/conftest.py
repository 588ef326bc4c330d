import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

from app.core.services.projects import init_project


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Never touch the real user's default project, settings or logs."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / "cache"))
    monkeypatch.delenv("ANNOTARY_PROJECT", raising=False)
    # Qt reads the settings path once per process: clear what an earlier test remembered (coder name,
    # last document) so no test depends on the order tests run in
    import sys

    if "PySide6.QtCore" in sys.modules:
        from PySide6.QtCore import QSettings

        QSettings("Annotary", "Annotary").clear()
    if "app.ui.settings" in sys.modules:
        sys.modules["app.ui.settings"].settings().clear()  # the app's own object (one per process)


@pytest.fixture
def empty_project(tmp_path: Path):
    """A project with the default codebook and no documents."""
    project = init_project(tmp_path / "empty.annotary", empty=True)
    yield project
    project.close()


@pytest.fixture
def seeded_project(tmp_path: Path):
    """A project with the default codebook and the five seed articles (ids 1-5)."""
    project = init_project(tmp_path / "seeded.annotary")
    yield project
    project.close()


@pytest.fixture
def linkless_project(tmp_path: Path):
    """The seed articles with the default codebook minus its relation types and event-accepting
    roles: for tests that build those themselves, step by step."""
    from app.core.codebook.fileformat import load_codebook, save_codebook
    from app.core.paths import default_codebook_path

    spec = load_codebook(default_codebook_path())
    spec.relation_types.clear()
    for event_type in spec.event_types:
        for role in event_type.roles:
            role.accepts_events.clear()
    path = tmp_path / "linkless.yaml"
    save_codebook(spec, path)
    project = init_project(tmp_path / "linkless.annotary", codebook=path)
    yield project
    project.close()


def pytest_addoption(parser):
    parser.addoption("--soak-seconds", type=float, default=6.0,
                     help="how long tests/test_soak.py kills and restarts writers (default 6)")
    parser.addoption("--soak-seed", type=int, default=0, help="seed of the soak test's random choices")
