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
    assert REQUIRED_ENTITY_TYPES <= {t.name for t in spec.entity_types}
    assert REQUIRED_EVENT_TYPES <= {t.name for t in spec.event_types}
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
    with pytest.raises(CodebookError, match=r"entity type 'Organization' is used by 1 mention"):
        with seeded_project.uow() as session:
            remove_entity_type(session, "Organization")
    with pytest.raises(CodebookError, match=r"event type 'Layoff' is used by 1 event"):
        with seeded_project.uow() as session:
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
    data["entity_types"][0]["color"] = "#000000"
    path = tmp_path / "cb.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    spec = load_codebook(path)
    with pytest.raises(CodebookError) as info:
        with seeded_project.uow() as session:
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
