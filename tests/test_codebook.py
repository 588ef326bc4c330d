"""The codebook file format, its storage, and refusal to remove what annotations use."""

import json

import pytest
import yaml
from sqlalchemy import select

from app.core.codebook import (
    apply_codebook,
    codebook_to_dict,
    load_codebook,
    read_codebook,
    remove_entity_type,
    remove_event_type,
    save_codebook,
)
from app.core.errors import CodebookError
from app.core.models import EntityType, EventType
from app.core.paths import default_codebook_path
from app.core.services import annotations as svc
from app.core.services.coders import get_or_create_coder

REQUIRED_ENTITY_TYPES = {
    "Organization", "Person", "Team/Unit", "Location", "Money", "Quantity", "Percentage", "Date", "Job title",
    "AI model/product",
}
REQUIRED_EVENT_TYPES = {
    "Layoff", "Reassignment", "Hiring/Poaching offer", "Departure", "Investment/Acquisition", "Compensation",
    "Policy reversal", "Company shutdown/break", "Restructuring",
}


def test_default_codebook_has_what_the_corpus_needs():
    spec = load_codebook(default_codebook_path())
    assert {t.name for t in spec.entity_types} >= REQUIRED_ENTITY_TYPES
    assert {t.name for t in spec.event_types} >= REQUIRED_EVENT_TYPES
    modality = spec.attribute("Modality", "event")
    assert modality.values == ["asserted", "reported", "planned", "denied", "reversed"]
    levels = {c.name: c.level for c in spec.document_codes}
    assert levels["primary_topic"] == "nominal" and levels["tone"] == "ordinal"
    for typ in spec.entity_types + spec.event_types:
        assert typ.definition.strip(), typ.name
    for ev in spec.event_types:
        assert ev.role("Source") is not None, ev.name


@pytest.mark.parametrize("suffix", [".yaml", ".json"])
def test_file_round_trip(tmp_path, suffix):
    spec = load_codebook(default_codebook_path())
    path = tmp_path / f"cb{suffix}"
    save_codebook(spec, path)
    again = load_codebook(path)
    assert codebook_to_dict(again) == codebook_to_dict(spec)
    raw = path.read_text(encoding="utf-8")
    data = json.loads(raw) if suffix == ".json" else yaml.safe_load(raw)
    assert data["annotary_codebook"] == 1


def test_project_round_trip_keeps_everything(empty_project, tmp_path):
    with empty_project.read() as session:
        stored = read_codebook(session)
    assert codebook_to_dict(stored) == codebook_to_dict(load_codebook(default_codebook_path()))


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda d: d["entity_types"].append(dict(d["entity_types"][0])), "defined twice"),
        (lambda d: d["entity_types"][0].update(color="blue"), "colour"),
        (lambda d: d["entity_types"][1].update(hotkey="o"), "hotkey 'o' is used by both"),
        (lambda d: d["event_types"][0]["roles"][0]["accepts"].append("Spaceship"), "unknown entity type 'Spaceship'"),
        (lambda d: d["document_codes"][0].update(level="fuzzy"), "level must be one of"),
        (lambda d: d["document_codes"][0].update(values=[]), "needs a list of values"),
        (lambda d: d["attributes"][0].update(target="document"), "target must be event or mention"),
        (lambda d: d["entity_types"][0].update(colour="#000000"), "unknown key(s) colour"),
        (lambda d: d.update(annotary_codebook=7), "format 7 is not supported"),
        (lambda d: d.update(labels=[]), "unknown section"),
    ],
)
def test_invalid_codebooks_are_refused_with_a_reason(tmp_path, mutate, message):
    data = codebook_to_dict(load_codebook(default_codebook_path()))
    mutate(data)
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(CodebookError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_codebook(path)


def test_yaml_syntax_error_names_line(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text("entity_types:\n  - name: A\n    color: [unclosed\n", encoding="utf-8")
    with pytest.raises(CodebookError, match=r"cb\.yaml:\d+: not a valid codebook file"):
        load_codebook(path)


def _tag_one(project):
    with project.uow() as session:
        coder = get_or_create_coder(session, "alice")
        org = session.scalar(select(EntityType).where(EntityType.name == "Organization"))
        layoff = session.scalar(select(EventType).where(EventType.name == "Layoff"))
        m = svc.create_mention(session, 1, coder.id, org.id, 0, 4)
        ev = svc.create_event(session, 1, coder.id, layoff.id)
        svc.add_argument(session, ev.id, layoff.roles[0].id, m.id)


def test_removing_used_types_is_refused_with_counts(seeded_project):
    _tag_one(seeded_project)
    with pytest.raises(CodebookError, match=r"entity type 'Organization' is used by 1 mention"), seeded_project.uow() as session:
        remove_entity_type(session, "Organization")
    with pytest.raises(CodebookError, match=r"event type 'Layoff' is used by 1 event"), seeded_project.uow() as session:
        remove_event_type(session, "Layoff")
    with seeded_project.read() as session:
        spec = read_codebook(session)
    assert spec.entity_type("Organization") and spec.event_type("Layoff")
    # an unused type can go
    with seeded_project.uow() as session:
        remove_entity_type(session, "Location")
    with seeded_project.read() as session:
        spec = read_codebook(session)
    assert spec.entity_type("Location") is None
    assert all("Location" not in r.accepts for e in spec.event_types for r in e.roles)


def test_importing_a_codebook_that_drops_used_types_changes_nothing(seeded_project, tmp_path):
    _tag_one(seeded_project)
    data = codebook_to_dict(load_codebook(default_codebook_path()))
    data["entity_types"] = [t for t in data["entity_types"] if t["name"] != "Organization"]
    for ev in data["event_types"]:
        for role in ev["roles"]:
            role["accepts"] = [a for a in role["accepts"] if a != "Organization"]
        if ev["name"] == "Layoff":
            ev["roles"] = [r for r in ev["roles"] if r["name"] != "Actor"]
    for rel in data["relation_types"]:
        rel["source_accepts"] = [a for a in rel["source_accepts"] if a != "Organization"]
        rel["target_accepts"] = [a for a in rel["target_accepts"] if a != "Organization"]
    data["entity_types"][0]["color"] = "#000000"
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    spec = load_codebook(path)
    with pytest.raises(CodebookError) as info, seeded_project.uow() as session:
        apply_codebook(session, spec)
    assert "used by 1 mention" in str(info.value) and "role 'Actor' of 'Layoff' is used by 1 argument" in str(info.value)
    with seeded_project.read() as session:
        after = read_codebook(session)
    assert codebook_to_dict(after) == codebook_to_dict(load_codebook(default_codebook_path()))


def test_editing_a_codebook_keeps_ids_and_annotations(seeded_project, tmp_path):
    _tag_one(seeded_project)
    with seeded_project.read() as session:
        org_id = session.scalar(select(EntityType.id).where(EntityType.name == "Organization"))
    data = codebook_to_dict(load_codebook(default_codebook_path()))
    data["entity_types"][0]["color"] = "#123456"
    data["entity_types"][0]["hotkey"] = "p"  # swap hotkeys of Organization and Person
    data["entity_types"][1]["hotkey"] = "o"
    data["entity_types"].append({"name": "Product line", "color": "#abcdef", "definition": "new"})
    path = tmp_path / "cb.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with seeded_project.uow() as session:
        apply_codebook(session, load_codebook(path))
    with seeded_project.read() as session:
        org = session.scalar(select(EntityType).where(EntityType.name == "Organization"))
        assert (org.id, org.color, org.hotkey) == (org_id, "#123456", "p")
        assert read_codebook(session).entity_type("Product line").color == "#abcdef"


# Hostile codebook files: one line naming the file and the entry; the project is not touched.

def _refused(tmp_path, name, text, *argv_extra):
    import hashlib

    from app.cli import main
    from app.core.services.projects import init_project

    project = tmp_path / "p.annotary"
    init_project(project, empty=True).close()
    before = hashlib.sha256(project.read_bytes()).hexdigest()
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return project, path, before, main


def _assert_refused(capsys, tmp_path, name, text, expected):
    import hashlib

    project, path, before, main = _refused(tmp_path, name, text)
    capsys.readouterr()
    assert main(["codebook", "import", str(path), "--project", str(project)]) == 1
    err = capsys.readouterr().err
    assert err == f"annotary: error: {path}{expected}\n"
    assert hashlib.sha256(project.read_bytes()).hexdigest() == before


def _laughs(levels):
    lines = ["document_codes:", "  - name: c0", "    values: &a0 [a, b, c, d, e, f, g, h, i, j]"]
    for i in range(1, levels + 1):
        lines += [f"  - name: c{i}", f"    values: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]"]
    return "\n".join(lines) + "\n"


def test_yaml_aliases_that_expand_too_far_are_refused_before_expanding(capsys, tmp_path):
    """A "billion laughs" file: 10**9 values from a few lines; refused at the alias that goes over."""
    import time

    started = time.process_time()
    _assert_refused(capsys, tmp_path, "laughs.yaml", _laughs(9),
                    ":13: the file expands to over 200,000 values (through its aliases); a codebook is far smaller")
    assert time.process_time() - started < 30  # not a timing test: a generous bound against expanding it


def test_yaml_alias_that_refers_to_itself_is_refused(capsys, tmp_path):
    _assert_refused(capsys, tmp_path, "loop.yaml", "entity_types: &a\n  - *a\n",
                    ":2: the alias *a refers to itself")


def test_yaml_alias_without_anchor_is_refused(capsys, tmp_path):
    _assert_refused(capsys, tmp_path, "alias.yaml", "document_codes:\n  - *x\n",
                    ":2: not a valid codebook file (found undefined alias 'x')")


def test_yaml_anchors_for_repeated_lists_are_fine(tmp_path):
    """Anchors are ordinary YAML for a list written once and used by several roles."""
    from app.core.codebook import load_codebook

    path = tmp_path / "anchors.yaml"
    path.write_text(
        "entity_types:\n"
        "  - {name: Organization, color: '#1f77b4'}\n"
        "  - {name: Person, color: '#d62728'}\n"
        "event_types:\n"
        "  - name: Layoff\n"
        "    color: '#e41a1c'\n"
        "    roles:\n"
        "      - {name: Actor, accepts: &actors [Organization, Person]}\n"
        "      - {name: Affected, accepts: *actors}\n",
        encoding="utf-8")
    spec = load_codebook(path)
    assert [r.accepts for r in spec.event_types[0].roles] == [["Organization", "Person"]] * 2


def test_oversized_codebook_file_is_refused(capsys, tmp_path):
    project, path, _before, main = _refused(tmp_path, "big.yaml", "#" * (5 * 1024 * 1024 + 1) + "\n")
    capsys.readouterr()
    assert main(["codebook", "import", str(path), "--project", str(project)]) == 1
    assert capsys.readouterr().err == f"annotary: error: cannot read {path}: file is 5.0 MiB, over the 5 MiB limit\n"


def test_too_many_values_are_refused(capsys, tmp_path):
    values = ", ".join(f"v{i}" for i in range(1001))
    _assert_refused(capsys, tmp_path, "many.yaml", f"document_codes:\n  - name: c\n    values: [{values}]\n",
                    ": document code 'c': values has 1001 entries; at most 1000 are allowed")


ET = 'entity_types:\n  - name: X\n    color: "#000000"\n'


@pytest.mark.parametrize("text, expected", [
    ('entity_types:\n  - name: [x]\n    color: "#000000"\n', ": entity type #1: name must be text, not a list"),
    ("entity_types:\n  - name: X\n    color: [1]\n", ": entity type 'X': color must be text, not a list"),
    (ET + "    definition: [1, 2]\n", ": entity type 'X': definition must be text, not a list"),
    (ET + "    hotkey: {a: 1}\n", ": entity type 'X': hotkey must be text, not a mapping"),
    (ET + "event_types:\n  - name: E\n    color: '#000000'\n    roles:\n      - name: R\n        repeatable: maybe\n",
     ": role 'R' of event type 'E': repeatable must be true or false, not 'maybe'"),
    ("document_codes:\n  - name: c\n    values: [null, true]\n",
     ": document code 'c': each of its values must be text, not empty (null)"),
    ("document_codes:\n  - name: c\n    values: [yes, no]\n",
     ": document code 'c': each of its values must be text, not true (a yes/no); put it in quotes to mean the text"),
    ("document_codes:\n  - name: c\n    values: [a, .nan]\n",
     ": document code 'c': each of its values must be text, not the number nan; put it in quotes to mean the text"),
    ("document_codes:\n  - name: c\n    values: [a, {a: b}]\n",
     ": document code 'c': each of its values must be text, not a mapping"),
    ("document_codes:\n  - name: c\n    values: abc\n",
     ": document code 'c': values must be a list, not 'abc' (write [a, b] or one '- a' a line)"),
    ("document_codes:\n  - name: c\n    level: ordinal\n    values: [1, 010]\n",
     ":4: '010' is not a plain whole number; put it in quotes to keep it as text"),
])
def test_wrongly_typed_fields_are_refused(capsys, tmp_path, text, expected):
    _assert_refused(capsys, tmp_path, "cb.yaml", text, expected)


def test_plain_whole_numbers_are_values_and_hotkeys(tmp_path):
    path = tmp_path / "cb.yaml"
    path.write_text(ET + "    hotkey: 1\ndocument_codes:\n  - name: c\n    level: ordinal\n    values: [1, 2, 3]\n",
                    encoding="utf-8")
    spec = load_codebook(path)
    assert spec.entity_types[0].hotkey == "1" and spec.document_codes[0].values == ["1", "2", "3"]


@pytest.mark.parametrize("name, shown, what", [
    ("X\\0Y", "'X\\x00Y'", "a control character (U+0000)"),
    ("X\\nY", "'X\\nY'", "a control character (U+000A)"),
    ("X\\eY", "'X\\x1bY'", "a control character (U+001B)"),
    ("X\\u202eY", "'X\\u202eY'", "a bidirectional control character (U+202E)"),
])
def test_control_characters_in_names_are_refused(capsys, tmp_path, name, shown, what):
    text = f'entity_types:\n  - name: "{name}"\n    color: "#000000"\n'
    _assert_refused(capsys, tmp_path, "cb.yaml", text,
                    f": entity type name {shown} contains {what}; names, values and hotkeys cannot")


def test_control_characters_in_values_and_definitions(capsys, tmp_path):
    _assert_refused(capsys, tmp_path, "cb.yaml", 'document_codes:\n  - name: c\n    values: ["a\\u2066b"]\n',
                    ": document code 'c': value 'a\\u2066b' contains a bidirectional control character (U+2066); "
                    "names, values and hotkeys cannot")
    ok = tmp_path / "ok.yaml"
    ok.write_text(ET + '    definition: "line one\\n\\tline two \\u200f"\n', encoding="utf-8")
    assert load_codebook(ok).entity_types[0].definition == "line one\n\tline two \u200f"
    bad = tmp_path / "bad.yaml"
    bad.write_text(ET + '    definition: "bell \\a"\n', encoding="utf-8")
    with pytest.raises(CodebookError, match=r"definition of entity type 'X' contains a control character \(U\+0007\)"):
        load_codebook(bad)


def test_values_differing_only_in_case_are_two_values(tmp_path):
    """brat's TDT corpus codes capitalisation with the values cap and Cap: both are kept. The same
    value in two Unicode forms is one value twice."""
    import unicodedata

    from app.core.codebook import read_codebook
    from app.core.services.projects import init_project

    path = tmp_path / "cb.yaml"
    path.write_text("document_codes:\n  - name: casechange\n    values: [cap, Cap]\n", encoding="utf-8")
    with init_project(tmp_path / "p.annotary", empty=True, codebook=path) as project, project.read() as s:
        assert read_codebook(s).document_codes[0].values == ["cap", "Cap"]
    decomposed = unicodedata.normalize("NFD", "café")
    path.write_text(f"document_codes:\n  - name: c\n    values: [café, {decomposed}]\n", encoding="utf-8")
    with pytest.raises(CodebookError, match="is defined twice"):
        load_codebook(path)


def test_names_differing_only_in_case_are_one_name(capsys, tmp_path):
    _assert_refused(capsys, tmp_path, "cb.yaml", "entity_types:\n  - {name: Person, color: '#111111'}\n"
                    "  - {name: PERSON, color: '#222222'}\n",
                    ": entity type 'PERSON' is defined twice (as 'Person' and 'PERSON', which differ only in case)")


@pytest.mark.both_backends
def test_a_project_that_already_holds_a_case_pair_keeps_working(capsys, tmp_path, new_address):
    """An older Annotary stored a corpus's PERSON beside the default Person: the project's codebook
    still round-trips, passes check and takes unrelated changes (a file, or a team project)."""
    from sqlalchemy import text

    from app.cli import main
    from app.core.project import open_project
    from app.core.services.projects import init_project

    project = new_address("old")
    init_project(project, empty=True).close()
    with open_project(project) as p, p.engine.begin() as conn:
        conn.execute(text("INSERT INTO entity_types (name, color, hotkey, definition, position) "
                          "VALUES ('PERSON', '#222222', NULL, '', 99)"))
    cb = tmp_path / "cb.yaml"
    assert main(["codebook", "export", str(cb), "--project", str(project)]) == 0
    assert main(["codebook", "import", str(cb), "--project", str(project)]) == 0
    assert main(["check", "--project", str(project)]) == 0
    capsys.readouterr()
    assert main(["init", str(tmp_path / "new.annotary"), "--empty", "--codebook", str(cb)]) == 1
    assert "which differ only in case" in capsys.readouterr().err


def test_merge_adds_a_value_spelled_in_another_case(tmp_path):
    """Values are compared exactly: 'LAYOFFS' is another value than 'layoffs' and is added with
    --accept-codebook like any other new value."""
    from app.core.codebook import read_codebook
    from app.core.project import open_project
    from app.core.services.merge import merge_project
    from app.core.services.projects import init_project

    ours, theirs = tmp_path / "ours.annotary", tmp_path / "theirs.annotary"
    init_project(ours, empty=True).close()
    data = codebook_to_dict(load_codebook(default_codebook_path()))
    code = next(c for c in data["document_codes"] if c["name"] == "primary_topic")
    code["values"] = ["LAYOFFS" if v == "layoffs" else v for v in code["values"]]
    path = tmp_path / "theirs.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    init_project(theirs, empty=True, codebook=path).close()
    with open_project(ours) as project:
        report = merge_project(project, theirs, accept_codebook=True)
        with project.read() as s:
            values = next(c for c in read_codebook(s).document_codes if c.name == "primary_topic").values
    assert "layoffs" in values and "LAYOFFS" in values
    assert any("primary_topic" in line for line in report.codebook_added)
