"""`annotary agreement` prints unitizing alpha per mention type, the same numbers as --json."""

import json

import pytest

from app.cli import main
from team_coding import coded_at  # noqa: F401  (a fixture)

pytestmark = pytest.mark.both_backends


def test_the_plain_output_shows_unitizing_alpha_of_every_type(coded_at, capsys):
    assert main(["agreement", "--project", coded_at, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert main(["agreement", "--project", coded_at]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("unitizing alpha ")]
    unitizing = report["mentions"]["unitizing_alpha"]
    assert unitizing and len(lines) == len(unitizing)
    for line, (name, u) in zip(lines, unitizing.items(), strict=True):
        alpha = "n/a" if u["alpha"] is None else f"{u['alpha']:.3f}"
        assert line.startswith(f"unitizing alpha {name}: {alpha} (D_o ")
        assert f"{u['n_coders']} coders, {u['length']} characters)" in line
