import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

import pytest

from app.core.services.projects import init_project
from pg_cluster import REQUIRE_ENV, start_cluster


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


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL cluster for the whole session; yields its admin URL (the superuser,
    no password). Skipped when PostgreSQL is not installed, unless $ANNOTARY_REQUIRE_PG is set
    (as in .ci/run): then a missing PostgreSQL fails."""
    cluster = start_cluster()
    if cluster is None:
        message = "PostgreSQL is not installed (no initdb found)"
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{message}, and {REQUIRE_ENV} says the PostgreSQL tests must run")
        pytest.skip(message)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_server):
    """A fresh empty database on the session's cluster, dropped after the test."""
    name = pg_server.create_database()
    yield pg_server.admin_url(name)
    pg_server.drop_database(name)


BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config):
    config.addinivalue_line("markers", "both_backends: run the module's project fixtures (seeded_project, "
                                       "empty_project, linkless_project, new_address, project_at, "
                                       "empty_project_at) on SQLite and on PostgreSQL")
    config.addinivalue_line("markers", "sqlite_only: in a both_backends module, a test of what only a file has")
    config.addinivalue_line("markers", "server_only: a test of what only a server project has, run with the "
                                       "project fixtures on PostgreSQL")


def pytest_generate_tests(metafunc):
    definition = metafunc.definition
    if "project_backend" not in metafunc.fixturenames:
        return
    if definition.get_closest_marker("server_only"):
        metafunc.parametrize("project_backend", ("postgresql",), indirect=True)
    elif definition.get_closest_marker("both_backends") and not definition.get_closest_marker("sqlite_only"):
        metafunc.parametrize("project_backend", BACKENDS, indirect=True)


@pytest.fixture
def project_backend(request):
    """Where the project fixtures put their project: "sqlite" unless a module asks for both."""
    return getattr(request, "param", "sqlite")


def _address(request, tmp_path: Path, name: str):
    if request.getfixturevalue("project_backend") == "postgresql":
        return request.getfixturevalue("pg_url")
    return tmp_path / f"{name}.annotary"


@pytest.fixture
def empty_project(request, tmp_path: Path, project_backend):
    """A project with the default codebook and no documents."""
    project = init_project(_address(request, tmp_path, "empty"), empty=True)
    yield project
    project.close()


@pytest.fixture
def seeded_project(request, tmp_path: Path, project_backend):
    """A project with the default codebook and the five seed articles (ids 1-5)."""
    project = init_project(_address(request, tmp_path, "seeded"))
    yield project
    project.close()


@pytest.fixture
def linkless_project(request, tmp_path: Path, project_backend):
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
    project = init_project(_address(request, tmp_path, "linkless"), codebook=path)
    yield project
    project.close()


PG_LEAD = "annotary_test_lead"
"""The login that creates the command-line tests' server projects: it may create roles (to add
coders) but is no superuser, so row-level security binds it as it binds a real lead."""


@pytest.fixture(scope="session")
def pg_lead(pg_server):
    """The name of the session's lead login (see PG_LEAD), created once."""
    import psycopg

    with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
        conn.execute(f'CREATE ROLE "{PG_LEAD}" LOGIN CREATEROLE')
    return PG_LEAD


@pytest.fixture
def new_address(request, tmp_path: Path, project_backend):
    """`new_address(name="p")`: where a command may create a project with `annotary init ADDRESS`,
    as the command line takes it (a string): a file path on SQLite; on PostgreSQL the
    postgresql:// address of a fresh empty database owned by the lead login (`pg_lead`, no
    superuser). Each call gives another one; the databases are dropped after the test."""
    made: list[str] = []
    server = request.getfixturevalue("pg_server") if project_backend == "postgresql" else None

    def make(name: str = "p") -> str:
        if server is None:
            return str(tmp_path / f"{name}.annotary")
        lead = request.getfixturevalue("pg_lead")
        database = server.create_database(owner=lead)
        made.append(database)
        return server.url(lead, database)

    yield make
    for database in made:
        server.drop_database(database)


@pytest.fixture
def project_at(new_address):
    """The address (a string, as the command line takes it) of a new project with the default
    codebook and the five seed articles, made by the lead: a file, or a database on PostgreSQL in a
    both_backends module."""
    address = new_address("seeded")
    init_project(address).close()
    return address


@pytest.fixture
def empty_project_at(new_address):
    """As `project_at`, without the seed articles."""
    address = new_address("empty")
    init_project(address, empty=True).close()
    return address


def pytest_addoption(parser):
    parser.addoption("--soak-seconds", type=float, default=6.0,
                     help="how long tests/test_soak.py kills and restarts writers (default 6)")
    parser.addoption("--soak-seed", type=int, default=0, help="seed of the soak test's random choices")
