"""doccano JSONL import and export: real files in tests/data/doccano, one bad file per rule."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.errors import AnnotationInputError
from app.core.interchange.doccano import export_doccano, import_doccano
from app.core.models import (
    Attribute,
    Document,
    DocumentCode,
    DocumentCodeValue,
    EntityType,
    EventType,
    Mention,
)
from app.core.services.annotations import (
    add_argument,
    create_event,
    create_mention,
    set_event_attribute,
)
from app.core.services.coders import get_or_create_coder
from project_reads import events_of, mentions_of, row_counts

DATA = Path(__file__).parent / "data" / "doccano"


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").split("\n") if line]


# --------------------------------------------------------------------------- import


def test_arabic_both_shapes_relations_ignored(empty_project):
    reports = import_doccano(empty_project, DATA / "arabic.jsonl", "alice")
    assert [(r.line, r.document_id, r.new_document) for r in reports] == [(1, 1, True), (2, 2, True)]
    first, second = reports
    assert (first.mentions, first.events) == (5, 2)
    assert first.messages == [
        "2 span(s) labelled with an event type imported as events without arguments",
        "4 relation(s) ignored: doccano relations cannot express Annotary events",
    ]
    record = jsonl(DATA / "arabic.jsonl")[0]
    with empty_project.read() as s:
        assert s.get(Document, 1).text == record["text"]
    mentions = mentions_of(empty_project, 1)
    for ent in record["entities"]:
        if ent["label"] in ("Organization", "Date"):
            sub = record["text"][ent["start_offset"]:ent["end_offset"]]
            assert (ent["label"], ent["start_offset"], ent["end_offset"], sub) in mentions
    assert ("Date", 41, 46, "أسبوع") in mentions
    assert [e[:3] for e in events_of(empty_project, 1)] == [
        ("Company shutdown/break", "إيقاف تشغيلها", []), ("Hiring/Poaching offer", "الصيد الجائر", [])]
    assert mentions_of(empty_project, 2) == [
        ("Organization", 5, 13, "Scale AI"), ("Quantity", 20, 29, "700 وظيفة"), ("Organization", 39, 43, "Meta")]
    assert second.messages == []


def test_emoji_offsets_are_code_points(empty_project):
    [r] = import_doccano(empty_project, DATA / "emoji.jsonl", "alice")
    text = jsonl(DATA / "emoji.jsonl")[0]["text"]
    mentions = mentions_of(empty_project, r.document_id)
    assert ("Organization", 2, 8, "OpenAI") in mentions
    start = text.index("8 researchers")
    assert ("Quantity", start, start + 13, "8 researchers") in mentions
    assert start == 66 and len(text[:start].encode("utf-16-le")) // 2 == 73  # not UTF-16 units
    assert events_of(empty_project, r.document_id) == [("Hiring/Poaching offer", "poached", [], [], "")]


def test_crlf_and_lone_cr_offsets_are_mapped(empty_project):
    [r] = import_doccano(empty_project, DATA / "crlf.jsonl", "alice")
    raw = jsonl(DATA / "crlf.jsonl")[0]["text"]
    with empty_project.read() as s:
        text = s.get(Document, r.document_id).text
    assert text == "Scale AI cut 200 jobs.\nMeta invested $14.3 billion.\nOpenAI\npaused work."
    assert raw.index("$14.3 billion") == 38 and text.index("$14.3 billion") == 37
    assert mentions_of(empty_project, r.document_id) == [
        ("Organization", 0, 8, "Scale AI"), ("Quantity", 13, 21, "200 jobs"), ("Organization", 23, 27, "Meta"),
        ("Money", 37, 50, "$14.3 billion"), ("Organization", 52, 58, "OpenAI"),
    ]


def test_annotary_keys_events_details_codes(empty_project):
    [r] = import_doccano(empty_project, DATA / "events.jsonl", "carol")
    assert (r.mentions, r.events, r.attributes, r.notes) == (4, 2, 1, 2)
    assert r.messages == ['1 relation(s) ignored: doccano relations cannot express Annotary events '
                          '(events read from the "events" key)']
    assert events_of(empty_project, r.document_id) == [
        ("Layoff", "laid off", sorted([("Actor", "Meta"), ("Affected", "600 engineers"), ("Count", "600 engineers"),
                                       ("Location", "Menlo Park"), ("Source", "spokesperson")]),
         [("Modality", "reported")], "from the memo"),
        ("Layoff", None, [("Actor", "Meta")], [], ""),
    ]
    with empty_project.read() as s:
        assert s.scalar(select(Mention.note).where(Mention.start == 14)) == "full-time only"
        [code] = s.scalars(select(DocumentCodeValue)).all()
        assert (s.get(DocumentCode, code.code_id).name, code.value) == ("primary_topic", "layoffs")


def test_text_already_in_project_is_attached(seeded_project, tmp_path):
    from app.core import paths

    seed = (paths.seeds_dir() / "004_2a287f6f6595dccf.txt").read_text(encoding="utf-8")
    raw = seed.replace("\n", "\r\n")
    start = raw.index("OpenAI", 100)
    path = tmp_path / "seed.jsonl"
    path.write_text(json.dumps({"text": raw, "label": [[start, start + 6, "Organization"]]}) + "\n", encoding="utf-8")
    [r] = import_doccano(seeded_project, path, "alice")
    assert (r.document_id, r.status) == (5, "attached")
    normal = seed.index("OpenAI", start - raw[:start].count("\r"))
    assert mentions_of(seeded_project, 5) == [("Organization", normal, normal + 6, "OpenAI")]


BAD = {
    "invalid_json": "not valid JSON",
    "offset_outside": "entity 4 (Location): span 31-400 lies outside the text",
    "end_not_after_start": "end must be greater than start",
    "unknown_label": "unknown label 'Spaceship'",
    "unknown_entity_id": "unknown entity_id 99",
    "undefined_role": "no role 'Pilot'",
    "role_type": "Share of Layoff accepts Percentage, not Location",
    "attribute_value": "'rumoured' is not a value of Modality",
    "classification": "document categories (text classification)",
    "offset_in_crlf": "between the \\r and \\n",
    "missing_text": 'no "text"',
}


@pytest.mark.parametrize("rule", sorted(BAD))
def test_bad_line_names_file_and_line_and_the_whole_file_is_refused(empty_project, rule):
    before = row_counts(empty_project)
    path = DATA / "bad" / f"{rule}.jsonl"
    with pytest.raises(AnnotationInputError) as info:
        import_doccano(empty_project, path, "alice")
    assert (info.value.path, info.value.line) == (str(path), 2)
    assert BAD[rule] in info.value.reason
    assert str(info.value).startswith(f"{path}:2: ")
    assert row_counts(empty_project) == before  # line 1 was valid, and is not stored either


def test_empty_and_non_utf8_files_are_refused(empty_project, tmp_path):
    (tmp_path / "empty.jsonl").write_text("\n\n", encoding="utf-8")
    with pytest.raises(AnnotationInputError, match="empty"):
        import_doccano(empty_project, tmp_path / "empty.jsonl", "alice")
    (tmp_path / "latin1.jsonl").write_bytes('{"text": "café"}\n'.encode("latin-1"))
    with pytest.raises(AnnotationInputError, match="not UTF-8"):
        import_doccano(empty_project, tmp_path / "latin1.jsonl", "alice")


# --------------------------------------------------------------------------- export


def _annotate(project) -> None:
    with project.uow() as s:
        types = {t.name: t for t in s.scalars(select(EntityType))}
        layoff = s.scalar(select(EventType).where(EventType.name == "Layoff"))
        roles = {r.name: r for r in layoff.roles}
        modality = s.scalar(select(Attribute).where(Attribute.name == "Modality", Attribute.target == "event"))
        alice, bob = get_or_create_coder(s, "alice"), get_or_create_coder(s, "bob")
        text = s.get(Document, 4).text
        i, j, k = text.index("Scale AI"), text.index("700 وظيفة"), text.index("تُلغي")
        org = create_mention(s, 4, alice.id, types["Organization"].id, i, i + 8, note="the company")
        qty = create_mention(s, 4, alice.id, types["Quantity"].id, j, j + 9)
        ev = create_event(s, 4, alice.id, layoff.id, (k, k + 5))
        add_argument(s, ev.id, roles["Actor"].id, org.id)
        add_argument(s, ev.id, roles["Count"].id, qty.id)
        set_event_attribute(s, ev.id, modality.id, "planned")
        bare = create_event(s, 4, alice.id, layoff.id, None)
        add_argument(s, bare.id, roles["Affected"].id, qty.id)
        create_mention(s, 4, bob.id, types["Organization"].id, i, i + 8)


def test_export_lines_keys_and_shapes(seeded_project, tmp_path):
    _annotate(seeded_project)
    path = tmp_path / "sub" / "out.jsonl"
    summary = export_doccano(seeded_project, path)
    assert summary.files == [path] and summary.documents == 5
    assert (summary.mentions, summary.events) == (3, 2)
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and data.endswith(b"\n")
    records = jsonl(path)
    assert [(r["document_id"], r["coder"]) for r in records] == [
        (1, None), (2, None), (3, None), (4, "alice"), (4, "bob"), (5, None)]
    alice = records[3]
    with seeded_project.read() as s:
        assert alice["text"] == s.get(Document, 4).text
        assert alice["title"] == s.get(Document, 4).title
    assert alice["entities"] == [
        {"id": 1, "label": "Organization", "start_offset": 5, "end_offset": 13},
        {"id": 2, "label": "Quantity", "start_offset": 20, "end_offset": 29},
        {"id": 3, "label": "Layoff", "start_offset": 14, "end_offset": 19},
    ]
    assert alice["relations"] == [{"id": 1, "from_id": 3, "to_id": 1, "type": "Actor"},
                                  {"id": 2, "from_id": 3, "to_id": 2, "type": "Count"}]
    assert alice["events"] == [
        {"id": 1, "type": "Layoff", "trigger_id": 3,
         "arguments": [{"role": "Actor", "entity_id": 1}, {"role": "Count", "entity_id": 2}],
         "attributes": {"Modality": "planned"}, "note": ""},
        {"id": 2, "type": "Layoff", "trigger_id": None, "arguments": [{"role": "Affected", "entity_id": 2}],
         "attributes": {}, "note": ""},
    ]
    assert alice["entity_details"] == [{"entity_id": 1, "attributes": {}, "note": "the company"}]
    assert records[0]["entities"] == [] and records[0]["events"] == []
    assert not list(path.parent.glob("*.tmp"))


def test_export_one_coder_then_import_elsewhere(seeded_project, empty_project, tmp_path):
    _annotate(seeded_project)
    path = tmp_path / "alice.jsonl"
    export_doccano(seeded_project, path, coder="alice")
    assert [r["document_id"] for r in jsonl(path)] == [4]
    [r] = import_doccano(empty_project, path, "alice")
    assert events_of(empty_project, r.document_id) == [
        ("Layoff", "تُلغي", [("Actor", "Scale AI"), ("Count", "700 وظيفة")], [("Modality", "planned")], ""),
        ("Layoff", None, [("Affected", "700 وظيفة")], [], ""),
    ]
    assert mentions_of(empty_project, r.document_id) == [
        ("Organization", 5, 13, "Scale AI"), ("Quantity", 20, 29, "700 وظيفة")]


def test_export_over_an_existing_file_replaces_it_with_force(seeded_project, tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_text("old\n", encoding="utf-8")
    export_doccano(seeded_project, path, force=True)
    assert len(jsonl(path)) == 5


# --------------------------------------------------------------------------- inputs that cannot be read


def _refused(project, path: Path, line: int | None, reason: str) -> None:
    """One line naming file (and line), and the project unchanged."""
    before = row_counts(project)
    with pytest.raises(AnnotationInputError) as info:
        import_doccano(project, path, "alice")
    where = f"{path}:{line}" if line is not None else str(path)
    assert str(info.value).startswith(f"{where}: ") and reason in str(info.value)
    assert "\n" not in str(info.value)
    assert row_counts(project) == before


def _write(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


GOOD = {"text": "Meta laid off 700 people.", "label": [[0, 4, "Organization"]]}


def test_control_characters_in_text_are_refused(empty_project, tmp_path):
    _refused(empty_project, _write(tmp_path / "nul.jsonl", GOOD, {"text": "Meta\x00 laid off", "label": []}),
             2, "contains NUL characters")
    noisy = "Meta" + "\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0e" * 2
    _refused(empty_project, _write(tmp_path / "ctl.jsonl", GOOD, {"text": noisy, "label": []}),
             2, "too many control characters")
    _refused(empty_project, _write(tmp_path / "blank.jsonl", {"text": "  \n ", "label": []}), 1, "empty")


def test_text_over_the_size_limit_is_refused(empty_project, tmp_path, monkeypatch):
    from app.core import bounded_read

    monkeypatch.setattr(bounded_read, "MAX_FILE_BYTES", 1000)  # stands for 50 MiB: a 60 MiB text
    big = {"text": "شركة Meta " * 100, "label": [[5, 9, "Organization"]]}
    _refused(empty_project, _write(tmp_path / "big.jsonl", GOOD, big), 2, "over the 1000 bytes limit")


def test_deeply_nested_json_is_one_line(empty_project, tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text(json.dumps(GOOD) + "\n" + '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}\n", encoding="utf-8")
    _refused(empty_project, path, 2, "nested too deeply")
    huge = tmp_path / "huge.jsonl"
    huge.write_text('{"text": "Meta", "label": [[0, ' + "9" * 5000 + ', "Organization"]]}\n', encoding="utf-8")
    _refused(empty_project, huge, 1, "too long")


def test_file_that_is_no_regular_file_is_refused(empty_project, tmp_path):
    import os

    os.mkfifo(tmp_path / "pipe.jsonl")
    _refused(empty_project, tmp_path / "pipe.jsonl", None, "is a named pipe (FIFO), not a regular file")
    if os.path.exists("/dev/zero"):
        _refused(empty_project, Path("/dev/zero"), None, "is a device")


def test_progress_reports_each_record(empty_project, tmp_path):
    path = _write(tmp_path / "two.jsonl", GOOD, {"text": "Scale AI cut 700 jobs.", "label": [[0, 8, "Organization"]]})
    seen = []
    import_doccano(empty_project, path, "alice", progress=lambda done, total: seen.append((done, total)))
    assert seen == [(0, 2), (1, 2), (2, 2)]  # from the start, inside the transaction (so Cancel is honoured)


def test_label_in_another_unicode_form_finds_its_type(empty_project, tmp_path):
    import unicodedata

    from app.core.codebook import EntityTypeSpec, apply_codebook, read_codebook

    with empty_project.uow() as s:
        spec = read_codebook(s)
        spec.entity_types.append(EntityTypeSpec(name="Société", color="#336699"))
        apply_codebook(s, spec)
    path = tmp_path / "nfd.jsonl"
    label = unicodedata.normalize("NFD", "Société")
    path.write_text(json.dumps({"text": "La Société Générale licencie.", "label": [[3, 10, label]]},
                               ensure_ascii=False) + "\n", encoding="utf-8")
    import_doccano(empty_project, path, "alice")
    assert mentions_of(empty_project, 1) == [("Société", 3, 10, "Société")]


def test_an_upper_case_label_is_the_codebooks_type(empty_project, tmp_path):
    path = tmp_path / "ner.jsonl"
    path.write_text(json.dumps({"text": "Sam Altman runs OpenAI.", "label": [[0, 10, "PERSON"], [16, 22, "ORGANIZATION"]]})
                    + "\n", encoding="utf-8")
    import_doccano(empty_project, path, "alice")
    assert mentions_of(empty_project, 1) == [("Person", 0, 10, "Sam Altman"), ("Organization", 16, 22, "OpenAI")]


def test_intent_detection_entities_given_as_lists_import(empty_project, tmp_path):
    """doccano's intent-detection files give entities as [start, end, "Label"] (its own test data)."""
    path = _write(tmp_path / "intent.jsonl",
                  {"text": "Meta cuts jobs in Dallas", "entities": [[0, 4, "Organization"], [18, 24, "Location"]],
                   "cats": ["layoff"]},
                  {"text": "No entities here", "cats": ["other"]})
    [first, second] = import_doccano(empty_project, path, "alice")
    assert (first.mentions, second.mentions) == (2, 0)
    assert mentions_of(empty_project, first.document_id) == [("Organization", 0, 4, "Meta"),
                                                              ("Location", 18, 24, "Dallas")]
