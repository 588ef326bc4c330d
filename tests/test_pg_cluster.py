"""The throwaway PostgreSQL cluster the server tests run on (tests/pg_cluster.py)."""

import psycopg


def test_each_test_gets_its_own_empty_database(pg_server, pg_url):
    with psycopg.connect(pg_url) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        name = conn.execute("SELECT current_database()").fetchone()
    assert tables == (0,)
    assert name is not None and name[0] != "postgres"
    with psycopg.connect(pg_server.admin_url(), autocommit=True) as conn:
        listed = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name[0],)).fetchone()
    assert listed == (1,)


def test_databases_of_earlier_tests_are_dropped(pg_server, pg_url):
    with psycopg.connect(pg_server.admin_url()) as conn:
        names = [r[0] for r in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'")]
    assert names == [pg_url.rsplit("/", 1)[1]]


def _run_without_postgresql(tmp_path, require: bool):
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, ANNOTARY_PG_BINDIR=str(tmp_path / "no-postgresql-here"))
    env.pop("ANNOTARY_REQUIRE_PG", None)
    if require:
        env["ANNOTARY_REQUIRE_PG"] = "1"
    here = Path(__file__).resolve()
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
         f"{here}::test_each_test_gets_its_own_empty_database"],
        cwd=here.parent.parent, env=env, capture_output=True, text=True, check=False)


def test_without_postgresql_the_server_tests_are_skipped_locally_and_fail_in_ci(tmp_path):
    local = _run_without_postgresql(tmp_path, require=False)
    assert local.returncode == 0, local.stdout
    assert "1 skipped" in local.stdout and "PostgreSQL is not installed" in local.stdout
    ci = _run_without_postgresql(tmp_path, require=True)
    assert ci.returncode != 0
    assert "ANNOTARY_REQUIRE_PG says the PostgreSQL tests must run" in ci.stdout
