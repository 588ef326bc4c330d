"""`pip install .` must ship resources/ and seeds/ inside the package."""

import json
from importlib import metadata

import pytest


def _installed_files():
    try:
        dist = metadata.distribution("annotary")
    except metadata.PackageNotFoundError:
        pytest.skip("annotary is not installed")
    direct = dist.read_text("direct_url.json")
    if direct and json.loads(direct).get("dir_info", {}).get("editable"):
        pytest.skip("editable install: files stay in the checkout")
    return {str(f) for f in dist.files or ()}


def test_wheel_ships_resources_seeds_and_migrations():
    files = _installed_files()
    assert "app/resources/default_codebook.yaml" in files
    assert "app/seeds/metadata.json" in files
    seeds = json.loads((metadata.distribution("annotary").locate_file("app/seeds/metadata.json")).read_text())
    for entry in seeds["documents"]:
        assert f"app/seeds/{entry['file']}" in files
    assert "app/core/migrations/env.py" in files
    assert any(f.startswith("app/core/migrations/versions/0001") for f in files)


def test_console_command_is_installed():
    eps = [e for e in metadata.entry_points(group="console_scripts") if e.name == "annotary"]
    assert eps and eps[0].value == "app.launch:main"
