"""`--bidi visual` / ANNOTARY_BIDI=visual: plain-text output reshaped and reordered per cell for
terminals without bidi support; the default stays logical, --json is always logical, nothing
stored changes."""

import json

import arabic_reshaper
import pytest
from bidi import get_display
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from app.cli import main
from app.core.models import Coder, Document, EntityType
from app.core.project import open_project
from app.core.services.listing import list_documents
from app.core.services.projects import init_project
from app.core.terminal import _needs_escape, bidi_mode, printable, visual
from team_coding import coded  # noqa: F401  (a fixture)


def shown(text):
    return get_display(arabic_reshaper.reshape(text))


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def seeded_file(tmp_path, monkeypatch):
    monkeypatch.delenv("ANNOTARY_BIDI", raising=False)
    path = tmp_path / "p.annotary"
    init_project(path).close()
    return str(path)


def titles(path):
    with open_project(path) as project, project.read() as s:
        return {d.id: d.title for d in s.scalars(select(Document))}


def is_presentation_form(ch):
    return 0xFB50 <= ord(ch) <= 0xFDFF or 0xFE70 <= ord(ch) <= 0xFEFF


def test_default_output_is_logical_and_as_before(seeded_file, capsys):
    with open_project(seeded_file) as project:
        rows = list_documents(project)
    expected = "id\tlanguage\tdirection\tchars\tmentions\tevents\ttitle\n" + "".join(
        "\t".join(str(r[k]) for k in ("id", "language", "direction", "chars", "mentions", "events", "title")) + "\n"
        for r in rows)
    code, out, _ = run(capsys, "documents", "--project", seeded_file)
    assert code == 0 and out == expected
    assert run(capsys, "documents", "--project", seeded_file, "--bidi", "logical")[1] == expected


def test_visual_reshapes_and_reorders_each_cell_in_place(seeded_file, capsys, monkeypatch):
    stored = titles(seeded_file)
    code, out, _ = run(capsys, "documents", "--project", seeded_file, "--bidi", "visual")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "id\tlanguage\tdirection\tchars\tmentions\tevents\ttitle"
    by_id = {}
    for line in lines[1:]:
        cells = line.split("\t")
        assert len(cells) == 7  # the columns stay where they were
        by_id[int(cells[0])] = cells
    assert sorted(by_id) == [1, 2, 3, 4, 5]
    assert by_id[4][1:3] == ["ar", "rtl"]
    for doc_id, title in stored.items():
        assert by_id[doc_id][-1] == shown(title)
    arabic = by_id[4][-1]
    assert any(is_presentation_form(ch) for ch in arabic)
    assert stored[4].startswith("شركة") and arabic.endswith(shown("شركة"))  # first word at the right end
    assert by_id[1][-1] == stored[1]  # English stays as it is
    assert by_id[3][-1] == stored[3]  # Hindi: nothing to reorder
    # the environment variable does the same, and the option can come before the command
    monkeypatch.setenv("ANNOTARY_BIDI", "visual")
    assert run(capsys, "documents", "--project", seeded_file)[1] == out
    assert run(capsys, "--bidi", "visual", "documents", "--project", seeded_file)[1] == out
    # --bidi logical wins over the environment
    monkeypatch.setenv("ANNOTARY_BIDI", "visual")
    assert "شركة" in run(capsys, "documents", "--project", seeded_file, "--bidi", "logical")[1]
    assert titles(seeded_file) == stored  # nothing stored changed
    assert bidi_mode() == "logical"  # and the process prints logically again after the command


def test_json_is_always_logical(seeded_file, capsys, monkeypatch):
    plain = run(capsys, "documents", "--project", seeded_file, "--json")[1]
    assert run(capsys, "documents", "--project", seeded_file, "--json", "--bidi", "visual")[1] == plain
    monkeypatch.setenv("ANNOTARY_BIDI", "visual")
    assert run(capsys, "documents", "--project", seeded_file, "--json")[1] == plain
    assert {r["id"]: r["title"] for r in json.loads(plain)} == titles(seeded_file)


def test_invalid_environment_value_is_a_one_line_error(seeded_file, capsys, monkeypatch):
    monkeypatch.setenv("ANNOTARY_BIDI", "sideways")
    code, out, err = run(capsys, "documents", "--project", seeded_file)
    assert code == 1 and out == ""
    assert err == "annotary: error: ANNOTARY_BIDI must be logical or visual, not 'sideways'\n"
    monkeypatch.setenv("ANNOTARY_BIDI", "VISUAL")  # case does not matter
    assert run(capsys, "documents", "--project", seeded_file)[0] == 0
    with pytest.raises(SystemExit) as exit_:
        main(["documents", "--project", seeded_file, "--bidi", "sideways"])
    assert exit_.value.code == 2


def arabic_names(path):
    with open_project(path) as project, project.uow() as s:
        s.scalars(select(EntityType).where(EntityType.name == "Organization")).one().name = "منظمة"
        s.scalars(select(Coder).where(Coder.name == "bob")).one().name = "سارة"


def test_agreement_and_gold_status_show_names_in_visual_order(coded, capsys, monkeypatch):
    monkeypatch.delenv("ANNOTARY_BIDI", raising=False)
    path = str(coded)
    arabic_names(path)
    for command in (["agreement"], ["gold", "status"]):
        logical = run(capsys, *command, "--project", path)[1]
        seen = run(capsys, *command, "--project", path, "--bidi", "visual")[1]
        assert "سارة" in logical and "سارة" not in seen
        assert shown("سارة") in seen
        as_json = run(capsys, *command, "--project", path, "--json")[1]
        assert run(capsys, *command, "--project", path, "--json", "--bidi", "visual")[1] == as_json
        assert "سارة" in as_json
    agreement = run(capsys, "agreement", "--project", path, "--bidi", "visual")[1]
    assert f"  {shown('منظمة')}: exact F1" in agreement
    status = run(capsys, "gold", "status", "--project", path, "--bidi", "visual")[1].splitlines()
    assert status[0] == "document\tcoders\tdisagreements\tunresolved\tagreed_not_in_gold"
    row = status[1].split("\t")
    assert len(row) == 5 and row[0] == "5" and row[1] == shown("alice,سارة")
    with open_project(path) as project, project.read() as s:
        assert set(s.scalars(select(Coder.name))) >= {"alice", "سارة"}
        assert "منظمة" in set(s.scalars(select(EntityType.name)))


def test_visual_keeps_controls_escaped_and_escapes_whole():
    # the escapes join the left-to-right run they stand in, in their logical order
    assert visual("شركة\u202eabc\x1b[2J") == "\\u202eabc\\x1b[2J" + shown("شركة")
    assert "\u202e" not in visual("invoice\u202egpj.exe") and "\\u202e" in visual("invoice\u202egpj.exe")
    assert visual("شركة\u202eميتا") == shown("ميتا") + "\\u202e" + shown("شركة")
    assert visual("a\tb") == "a\\tb"


@given(st.text(alphabet=st.sampled_from(
    list("abc 123()-.,") + list("شركةميتاتُلغي") + list("कर्मचारि") + ["\u200c", "\u200d", "\u064b"]
    + ["\x1b", "\x07", "\t", "\n", "\u202e", "\u202b", "\u2067", "\u2069", "\u200f", "\u061c", "\u2029",
       "\udcff", "\U000f0000"])))
def test_visual_never_prints_a_control(text):
    out = visual(text)
    assert not any(_needs_escape(ch) for ch in out)
    assert out.count("\\") - text.count("\\") == sum(_needs_escape(ch) for ch in text)
    assert printable(text) == printable(text, keep="")  # logical mode outside a command
