"""brat import and export: real folders in tests/data/brat, one bad folder per rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core import paths
from app.core.codebook import CodebookSpec, EntityTypeSpec, read_codebook
from app.core.errors import AnnotationInputError
from app.core.interchange.brat import export_brat, import_brat
from app.core.interchange.brat_conf import BratNames, brat_escape, parse_annotation_conf
from app.core.models import (
    Attribute,
    Document,
    EntityType,
    Event,
    EventType,
    Mention,
    MentionAttributeValue,
)
from app.core.services.annotations import (
    add_argument,
    create_event,
    create_mention,
    set_event_attribute,
)
from app.core.services.coders import get_or_create_coder
from project_reads import events_of, mentions_of, row_counts

DATA = Path(__file__).parent / "data" / "brat"


def stored_text(project, doc_id: int) -> str:
    with project.read() as s:
        return s.get(Document, doc_id).text


# --------------------------------------------------------------------------- import: good folders


def test_arabic_folder_offsets_events_attributes_notes(empty_project):
    reports = import_brat(empty_project, DATA / "arabic", "alice")
    assert len(reports) == 1
    r = reports[0]
    assert (r.path.name, r.document_id, r.new_document) == ("scale_ai_ar.txt", 1, True)
    assert (r.mentions, r.events, r.attributes, r.notes) == (10, 3, 2, 1)
    text = stored_text(empty_project, 1)
    assert text == (DATA / "arabic" / "scale_ai_ar.txt").read_text(encoding="utf-8")
    mentions = mentions_of(empty_project, 1)
    assert ("Organization", 5, 13, "Scale AI") in mentions
    assert ("Quantity", 20, 29, "700 وظيفة") in mentions
    assert ("Money", 128, 151, "14.3 مليار دولار أمريكي") in mentions
    assert ("Percentage", 422, 425, "14٪") in mentions
    events = events_of(empty_project, 1)
    assert events[0] == ("Layoff", "تُلغي", [("Actor", "Scale AI"), ("Affected", "700 وظيفة"), ("Count", "700 وظيفة")],
                         [("Modality", "asserted")], "")
    assert events[1][:3] == ("Investment/Acquisition", "استثمار",
                             [("Actor", "Meta"), ("Affected", "Scale AI"), ("Money", "14.3 مليار دولار أمريكي")])
    # brat's Affected2 is a second Affected
    assert events[2][2] == sorted([("Actor", "Scale"), ("Affected", "200 موظف"),
                                   ("Affected", "500 من مقاولي تصنيف البيانات"), ("Share", "14٪"), ("Date", "16 يوليو")])
    assert events[2][3] == [("Modality", "reported")]
    with empty_project.read() as s:
        money = s.scalar(select(Mention).where(Mention.start == 128))
        assert money.note == "the amount in US dollars; the SGD figure is not tagged"
        assert s.get(Event, 1).trigger_start == 14 and s.get(Event, 1).trigger_end == 19


def test_emoji_offsets_are_code_points_and_relations_are_kept(empty_project):
    [r] = import_brat(empty_project, DATA / "emoji", "alice")
    text = stored_text(empty_project, r.document_id)
    mentions = mentions_of(empty_project, r.document_id)
    for label, sub in [("Organization", "Meta"), ("Location", "Menlo Park"), ("Percentage", "14%"),
                       ("Team/Unit", "a contractor team"), ("Location", "Dallas")]:
        start = text.index(sub)
        assert (label, start, start + len(sub), sub) in mentions
    # 🚨 and each of the 3 code points of 👩‍💻 count one (in UTF-16 units it would be 40)
    assert ("Location", 37, 47, "Menlo Park") in mentions
    assert len(text[:37].encode("utf-16-le")) // 2 == 40
    assert r.relations == 0 and r.messages == [  # no annotation.conf defines Located: told, not refused
        "1 relation(s) of an unknown type, or linking what the type does not accept, not kept yet (R1)"]
    events = events_of(empty_project, r.document_id)
    assert events[1][4] == "share of the full-time staff"
    assert events[2] == ("Layoff", "let go", [("Affected", "a contractor team"), ("Location", "Dallas")],
                         [("Modality", "reported")], "")


def test_crlf_text_offsets_are_mapped_to_the_normalised_text(empty_project):
    raw = (DATA / "crlf" / "scale_crlf.txt").read_bytes().decode("utf-8")
    assert "\r\n" in raw
    [r] = import_brat(empty_project, DATA / "crlf", "alice")
    text = stored_text(empty_project, r.document_id)
    assert text == raw.replace("\r\n", "\n")
    mentions = mentions_of(empty_project, r.document_id)
    # "July 16" is at 53 in the file (one \r before it) and at 52 in the stored text
    assert raw.index("July 16") == 53
    assert ("Date", 52, 59, "July 16") in mentions
    # "$14.3 billion" comes after three line breaks: three \r fewer
    assert raw.index("$14.3 billion") - 3 == text.index("$14.3 billion")
    start = text.index("$14.3 billion")
    assert ("Money", start, start + 13, "$14.3 billion") in mentions
    assert ("Organization", text.rindex("Scale AI"), text.rindex("Scale AI") + 8, "Scale AI") in mentions
    assert len(events_of(empty_project, r.document_id)) == 3


def test_bom_counted_as_brat_does_or_not_counted(empty_project):
    reports = import_brat(empty_project, DATA / "bom", "alice")
    assert [r.mentions for r in reports] == [2, 2]
    counted, uncounted = (mentions_of(empty_project, r.document_id) for r in reports)
    assert counted == [("Organization", 0, 4, "Meta"), ("Person", 13, 26, "Alexandr Wang")]
    assert uncounted == [("Organization", 0, 6, "OpenAI"), ("Date", 22, 28, "a week")]
    assert not stored_text(empty_project, reports[0].document_id).startswith("\ufeff")


def test_known_text_with_crlf_attaches_to_the_seed_document(seeded_project, tmp_path):
    seed = (paths.seeds_dir() / "003_e299b77a68dff8e3.txt").read_text(encoding="utf-8")
    raw = seed.replace("\n", "\r\n")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "seed.txt").write_bytes(b"\xef\xbb\xbf" + raw.encode("utf-8"))
    start = raw.index("700 وظيفة")
    (folder / "seed.ann").write_text(f"T1\tQuantity {start + 1} {start + 10}\t700 وظيفة\n", encoding="utf-8")
    before = row_counts(seeded_project)
    [r] = import_brat(seeded_project, folder, "alice")
    assert (r.document_id, r.new_document, r.status) == (4, False, "attached")
    assert row_counts(seeded_project)["documents"] == before["documents"]
    assert mentions_of(seeded_project, 4) == [("Quantity", 20, 29, "700 وظيفة")]


def test_missing_ann_imports_the_document_without_annotations(empty_project):
    reports = import_brat(empty_project, DATA / "missing_ann", "alice")
    assert [(r.path.name, r.mentions) for r in reports] == [("a_plain.txt", 0), ("b_annotated.txt", 3)]
    assert reports[0].messages == ["no .ann file: document imported without annotations"]
    assert row_counts(empty_project)["documents"] == 2


def test_annotation_conf_adds_types_roles_attributes(empty_project):
    before = read_codebook_names(empty_project)
    [r] = import_brat(empty_project, DATA / "conf", "alice")
    assert (r.mentions, r.events, r.attributes) == (6, 2, 2)
    assert not any("events" in m and "not kept" in m for m in r.messages)
    # R1 Member links a Quantity (Member's source accepts Person): told, never a refusal
    assert "1 relation(s) of an unknown type, or linking what the type does not accept, not kept yet (R1)" \
        in r.messages
    with empty_project.read() as s:
        spec = read_codebook(s)
    member = spec.relation_type("Member")  # [relations] Member Arg1:Person, Arg2:Union
    assert (member.source_accepts, member.target_accepts, member.symmetric) == (["Person"], ["Union"], False)
    names = [t.name for t in spec.entity_types]
    assert "Union" in names and "Agent" not in names  # !Agent is abstract
    assert names.count("Team/Unit") == 1 and "Team-Unit" not in names and "Job_title" not in names
    assert set(names) - before == {"Union"}
    strike = spec.event_type("Strike")
    roles = {role.name: role for role in strike.roles}
    assert list(roles) == ["Actor", "Affected", "Count", "Location", "Cause"]
    # Cause?:<EVENT>: a role taking any event type of the codebook, and no mention
    assert roles["Cause"].accepts == [] and set(roles["Cause"].accepts_events) >= {"Strike", "Layoff"}
    assert roles["Actor"].accepts == ["Union"] and roles["Actor"].repeatable  # Actor+
    assert set(roles["Affected"].accepts) == {"Organization", "Person", "Union", "Team/Unit", "Job title", "Quantity"}
    assert not roles["Count"].repeatable and roles["Location"].repeatable  # ? and {0,3}
    assert "Union" in {role.name: role for role in spec.event_type("Layoff").roles}["Actor"].accepts
    generic = spec.attribute("Generic", "mention")
    assert generic is not None and generic.values == [] and generic.applies_to == []
    confidence = spec.attribute("Confidence", "event")
    assert confidence.values == ["high", "low"] and confidence.applies_to == ["Strike"]
    assert all(t.hotkey is None and t.color.startswith("#") for t in spec.entity_types if t.name == "Union")
    assert mentions_of(empty_project, 1)[-1] == ("Job title", 147, 159, "spokesperson")
    events = events_of(empty_project, 1)
    assert events[0] == ("Strike", "walked out", [("Actor", "Amazon Labor Union"), ("Location", "Staten Island")],
                         [("Confidence", "high")], "")
    with empty_project.read() as s:
        [value] = s.scalars(select(MentionAttributeValue)).all()
        assert (s.get(Mention, value.mention_id).text, value.value) == ("2,000 warehouse workers", "true")


def read_codebook_names(project) -> set[str]:
    with project.read() as s:
        return {t.name for t in read_codebook(s).entity_types}


def test_brat_names_without_conf_map_back_to_codebook_names(empty_project, tmp_path):
    (tmp_path / "a.txt").write_text("The spokesperson of the AI task force spoke.\n", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tJob_title 4 16\tspokesperson\nT2\tTeam-Unit 24 37\tAI task force\n",
                                    encoding="utf-8")
    import_brat(empty_project, tmp_path, "alice")
    assert mentions_of(empty_project, 1) == [("Job title", 4, 16, "spokesperson"), ("Team/Unit", 24, 37, "AI task force")]


# --------------------------------------------------------------------------- import: bad input

BAD = {
    "offset_outside": (4, "lies outside the text"),
    "end_not_after_start": (3, "end must be greater than start"),
    "unknown_id_argument": (5, "unknown id T9"),
    "unknown_id_attribute": (6, "unknown id E7"),
    "covered_text": (1, "'Metz'"),
    "unknown_label": (4, "unknown label 'Spaceship'"),
    "undefined_role": (5, "no role 'Pilot'"),
    "role_type": (5, "Count of Layoff accepts Quantity, not Location"),
    "attribute_value": (6, "'rumoured' is not a value of Modality"),
    "discontinuous": (3, "discontinuous span"),
    "nested_event": (7, "not Layoff events (E1)"),  # Actor takes entities only (a nested event elsewhere)
    "offset_in_crlf": (2, "between the \\r and \\n"),
}


@pytest.mark.parametrize("rule", sorted(BAD))
def test_bad_file_names_file_and_line_and_stores_nothing(empty_project, rule):
    line, reason = BAD[rule]
    before = row_counts(empty_project)
    with pytest.raises(AnnotationInputError) as info:
        import_brat(empty_project, DATA / "bad" / rule, "alice")
    err = info.value
    assert err.path == str(DATA / "bad" / rule / "layoff.ann")
    assert err.line == line
    assert reason in err.reason
    assert str(err).startswith(f"{err.path}:{line}: ")
    assert row_counts(empty_project) == before


def test_ann_without_txt_is_an_error(empty_project):
    before = row_counts(empty_project)
    with pytest.raises(AnnotationInputError, match=r"orphan\.ann: no \.txt file"):
        import_brat(empty_project, DATA / "bad" / "ann_without_txt", "alice")
    assert row_counts(empty_project) == before


def test_a_bad_file_after_a_good_one_stores_neither(empty_project):
    before = row_counts(empty_project)
    with pytest.raises(AnnotationInputError) as info:
        import_brat(empty_project, DATA / "good_then_bad", "alice")
    assert info.value.path.endswith("b_bad.ann") and info.value.line == 2
    assert row_counts(empty_project) == before  # the good file before it is not stored either
    reports = import_brat(empty_project, DATA / "good_then_bad", "alice", skip_invalid=True)
    assert [r.path.name for r in reports] == ["a_good.txt"]
    assert [p.path for p in reports.refused] == [info.value.path]
    counts = row_counts(empty_project)
    assert (counts["documents"], counts["mentions"], counts["events"]) == (1, 3, 1)
    assert stored_text(empty_project, 1).startswith("Meta lays off")


def test_a_refused_file_adds_nothing_from_annotation_conf(empty_project, tmp_path):
    shutil.copy(DATA / "conf" / "annotation.conf", tmp_path)
    (tmp_path / "x.txt").write_text("The union struck.\n", encoding="utf-8")
    (tmp_path / "x.ann").write_text("T1\tUnion 0 9\tThe onion\n", encoding="utf-8")
    before = row_counts(empty_project)
    with pytest.raises(AnnotationInputError, match=r"x\.ann:1"):
        import_brat(empty_project, tmp_path, "alice")
    assert row_counts(empty_project) == before
    assert "Union" not in read_codebook_names(empty_project)


def test_attribute_on_a_trigger_and_flag_values_are_refused(empty_project, tmp_path):
    text = "Meta lays off 600 engineers.\n"
    (tmp_path / "a.txt").write_text(text, encoding="utf-8")
    base = "T1\tOrganization 0 4\tMeta\nT2\tLayoff 5 13\tlays off\nE1\tLayoff:T2 Actor:T1\n"
    (tmp_path / "a.ann").write_text(base + "A1\tModality T2 asserted\n", encoding="utf-8")
    with pytest.raises(AnnotationInputError, match=r"a\.ann:4: A1: T2 is an event trigger"):
        import_brat(empty_project, tmp_path, "alice")
    (tmp_path / "a.ann").write_text(base + "A1\tModality E1\n", encoding="utf-8")
    with pytest.raises(AnnotationInputError, match=r"a\.ann:4: Modality needs a value"):
        import_brat(empty_project, tmp_path, "alice")
    assert row_counts(empty_project)["documents"] == 0


@pytest.mark.parametrize("conf, line, reason", [
    ("[entities]\nPerson\n[events]\nHire\tActor:Person Affected:Person\n", 4, "cannot read argument"),
    ("[entities]\nPerson\n[events]\nHire\tActor{two}:Person\n", 4, "cannot read the count '{two}' of Actor"),
    ("[entities]\nPerson\n[attributes]\nNegated\tValue:yes|no\n", 4, "has no Arg"),
])
def test_bad_annotation_conf_names_file_and_line(empty_project, tmp_path, conf, line, reason):
    (tmp_path / "annotation.conf").write_text(conf, encoding="utf-8")
    (tmp_path / "a.txt").write_text("Alice\n", encoding="utf-8")
    with pytest.raises(AnnotationInputError) as info:
        import_brat(empty_project, tmp_path, "alice")
    assert (Path(info.value.path).name, info.value.line) == ("annotation.conf", line)
    assert reason in info.value.reason
    assert row_counts(empty_project)["documents"] == 0


# --------------------------------------------------------------------------- export


def _annotate_seeds(project) -> None:
    """alice and bob both annotate document 4 (Arabic); alice also document 1."""
    with project.uow() as s:
        types = {t.name: t for t in s.scalars(select(EntityType))}
        layoff = s.scalar(select(EventType).where(EventType.name == "Layoff"))
        roles = {r.name: r for r in layoff.roles}
        modality = s.scalar(select(Attribute).where(Attribute.name == "Modality", Attribute.target == "event"))
        alice, bob = get_or_create_coder(s, "alice"), get_or_create_coder(s, "Bob Smith")
        text = s.get(Document, 4).text
        i, j, k = text.index("Scale AI"), text.index("700 وظيفة"), text.index("تُلغي")
        org = create_mention(s, 4, alice.id, types["Organization"].id, i, i + 8)
        qty = create_mention(s, 4, alice.id, types["Quantity"].id, j, j + 9)
        qty2 = create_mention(s, 4, alice.id, types["Job title"].id, j + 4, j + 9)
        ev = create_event(s, 4, alice.id, layoff.id, (k, k + 5), note="first line\nsecond line")
        add_argument(s, ev.id, roles["Actor"].id, org.id)
        add_argument(s, ev.id, roles["Affected"].id, qty.id)
        add_argument(s, ev.id, roles["Affected"].id, qty2.id)
        set_event_attribute(s, ev.id, modality.id, "reported")
        triggerless = create_event(s, 4, alice.id, layoff.id, None)
        add_argument(s, triggerless.id, roles["Count"].id, qty.id)
        create_event(s, 4, alice.id, layoff.id, None)  # no trigger, no arguments: not in brat
        create_mention(s, 4, bob.id, types["Organization"].id, i, i + 8)
        t1 = s.get(Document, 1).text
        create_mention(s, 1, alice.id, types["Team/Unit"].id, t1.index("Applied AI"), t1.index("Applied AI") + 10)


def test_export_layout_names_and_encodings(seeded_project, tmp_path):
    _annotate_seeds(seeded_project)
    out = tmp_path / "out"
    summary = export_brat(seeded_project, out)
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([
        "annotation.conf", "visual.conf",
        "000_b46c4ed2b066ef9e.txt", "000_b46c4ed2b066ef9e.ann",
        "001_fcf6e2d5e2034c53.txt", "001_fcf6e2d5e2034c53.ann",
        "002_342471dcf71314f4.txt", "002_342471dcf71314f4.ann",
        "003_e299b77a68dff8e3.alice.txt", "003_e299b77a68dff8e3.alice.ann",
        "003_e299b77a68dff8e3.bob-smith.txt", "003_e299b77a68dff8e3.bob-smith.ann",
        "004_2a287f6f6595dccf.txt", "004_2a287f6f6595dccf.ann",
    ])
    assert all(name.isascii() and " " not in name for name in names)
    assert summary.documents == 5 and summary.mentions == 5 and summary.events == 2
    assert len(summary.warnings) == 1 and "neither a trigger nor arguments" in summary.warnings[0]
    assert (out / "001_fcf6e2d5e2034c53.ann").read_bytes() == b""
    with seeded_project.read() as s:
        for doc_id, stem in [(4, "003_e299b77a68dff8e3.alice"), (3, "002_342471dcf71314f4")]:
            data = (out / f"{stem}.txt").read_bytes()
            assert data.decode("utf-8") == s.get(Document, doc_id).text
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    ann = (out / "003_e299b77a68dff8e3.alice.ann").read_text(encoding="utf-8").splitlines()
    assert "T3\tJob_title 24 29\tوظيفة" in ann
    assert "E1\tLayoff:T4 Actor:T1 Affected:T2 Affected2:T3" in ann
    assert "A1\tModality E1 reported" in ann
    assert [line.split("\t", 1)[1] for line in ann if line.startswith("#")] == [
        "AnnotatorNotes E1\tfirst line", "AnnotatorNotes E1\tsecond line",
        "AnnotaryNoTrigger E2\tno trigger in Annotary; T5 is a placeholder",
    ]
    assert "T5\tLayoff 20 29\t700 وظيفة" in ann  # the placeholder trigger covers the first argument
    conf = (out / "annotation.conf").read_text(encoding="utf-8")
    assert "\nJob_title\n" in conf and "\nTeam-Unit\n" in conf
    assert '#@annotary-name {"kind": "entity", "brat": "Job_title", "name": "Job title"}' in conf
    assert "Layoff\tActor*:Organization|Person|Team-Unit" in conf
    assert "Modality\tArg:<EVENT>, Value:asserted|reported|planned|denied|reversed" in conf
    assert "Job_title | Job title" in (out / "visual.conf").read_text(encoding="utf-8")
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_export_round_trip_keeps_events_and_triggerless_ones(seeded_project, empty_project, tmp_path):
    _annotate_seeds(seeded_project)
    export_brat(seeded_project, tmp_path / "out", coder="alice")
    assert sorted(p.name for p in (tmp_path / "out").glob("*.ann")) == [
        "000_b46c4ed2b066ef9e.ann", "003_e299b77a68dff8e3.ann"]
    reports = import_brat(empty_project, tmp_path / "out", "alice")
    doc = next(r.document_id for r in reports if r.path.name.startswith("003_"))
    assert events_of(empty_project, doc) == [
        ("Layoff", "تُلغي", [("Actor", "Scale AI"), ("Affected", "700 وظيفة"), ("Affected", "وظيفة")],
         [("Modality", "reported")], "first line\nsecond line"),
        ("Layoff", None, [("Count", "700 وظيفة")], [], ""),
    ]
    with seeded_project.read() as s:
        source = [(m.start, m.end) for m in s.scalars(select(Mention).where(Mention.document_id == 4,
                                                                              Mention.coder_id == 1))]
    assert sorted(m[1:3] for m in mentions_of(empty_project, doc)) == sorted(source)


def test_export_with_unknown_coder_is_refused(seeded_project, tmp_path):
    with pytest.raises(Exception, match="no coder named 'zed'"):
        export_brat(seeded_project, tmp_path / "out", coder="zed")


def test_escape_and_name_clashes():
    assert brat_escape("Job title") == "Job_title"
    assert brat_escape("Team/Unit") == "Team-Unit"
    assert brat_escape("Strike: walkout") == "Strike-_walkout"
    spec = CodebookSpec(entity_types=[EntityTypeSpec("Job title", "#000000"), EntityTypeSpec("Job_title", "#000000")])
    names = BratNames(spec)
    assert names.entity == {"Job title": "Job_title_2", "Job_title": "Job_title"}
    assert names.records() == [{"kind": "entity", "brat": "Job_title_2", "name": "Job title"}]


def test_parse_conf_hierarchy_and_cardinalities():
    conf = parse_annotation_conf(DATA / "conf" / "annotation.conf")
    assert [(t.name, t.abstract, t.parent) for t in conf.entities[:4]] == [
        ("Agent", True, None), ("Organization", False, "Agent"), ("Person", False, "Agent"), ("Union", False, "Agent")]
    strike = conf.events[0]
    assert [(r.name, r.repeatable) for r in strike.roles] == [
        ("Actor", True), ("Affected", True), ("Count", False), ("Location", True), ("Cause", False)]
    assert strike.roles[1].types == ["Agent", "Team-Unit", "Job_title", "Quantity"]  # the <WHO> macro expanded


def test_lone_trigger_is_skipped_with_a_message(empty_project, tmp_path):
    (tmp_path / "a.txt").write_text("Meta lays off staff.\n", encoding="utf-8")
    (tmp_path / "a.ann").write_text("T1\tOrganization 0 4\tMeta\nT2\tLayoff 5 13\tlays off\n", encoding="utf-8")
    [r] = import_brat(empty_project, tmp_path, "alice")
    assert (r.mentions, r.events) == (1, 0)
    assert r.messages == ["line 2: T2 is a Layoff trigger no E line uses; skipped"]


def test_export_warns_about_other_files_in_the_folder(seeded_project, tmp_path):
    (tmp_path / "old.ann").write_text("", encoding="utf-8")
    summary = export_brat(seeded_project, tmp_path)
    assert any("1 other .txt/.ann file(s)" in w for w in summary.warnings)


# --------------------------------------------------------------------------- inputs that cannot be read


def _brat_refused(project, folder: Path, path: Path, line: int | None, reason: str) -> None:
    before = row_counts(project)
    with pytest.raises(AnnotationInputError) as info:
        import_brat(project, folder, "alice")
    where = f"{path}:{line}" if line is not None else str(path)
    assert str(info.value).startswith(f"{where}: ") and reason in str(info.value)
    assert "\n" not in str(info.value)
    assert row_counts(project) == before


def test_offset_with_5000_digits_is_one_line(empty_project, tmp_path):
    (tmp_path / "x.txt").write_text("Meta laid off staff.\n", encoding="utf-8")
    (tmp_path / "x.ann").write_text("T1\tOrganization 0 4\tMeta\nT2\tOrganization 0 " + "9" * 5000 + "\tMeta\n",
                                    encoding="utf-8")
    _brat_refused(empty_project, tmp_path, tmp_path / "x.ann", 2, "an offset has over 15 digits, more than any text is long")


def test_fifo_ann_and_txt_are_refused_without_blocking(empty_project, tmp_path):
    import os

    (tmp_path / "x.txt").write_text("Meta laid off staff.\n", encoding="utf-8")
    os.mkfifo(tmp_path / "x.ann")
    _brat_refused(empty_project, tmp_path, tmp_path / "x.ann", None, "is a named pipe (FIFO), not a regular file")
    other = tmp_path / "other"
    other.mkdir()
    os.mkfifo(other / "y.txt")
    _brat_refused(empty_project, other, other / "y.txt", None, "is a named pipe (FIFO)")


def test_txt_passes_the_plain_import_checks(empty_project, tmp_path, monkeypatch):
    from app.core import bounded_read

    (tmp_path / "x.txt").write_bytes(b"Meta\x00 laid off staff.\n")
    _brat_refused(empty_project, tmp_path, tmp_path / "x.txt", None, "binary file")
    (tmp_path / "x.txt").write_text("Meta laid off staff.\n" * 100, encoding="utf-8")
    monkeypatch.setattr(bounded_read, "MAX_FILE_BYTES", 1000)  # stands for 50 MiB
    _brat_refused(empty_project, tmp_path, tmp_path / "x.txt", None, "over the 1000 bytes limit")


def test_deep_json_in_annotary_name_line_is_one_line(empty_project, tmp_path):
    (tmp_path / "annotation.conf").write_text(
        "#@annotary-name " + "[" * 100_000 + "]" * 100_000 + "\n[entities]\nOrganization\n", encoding="utf-8")
    (tmp_path / "x.txt").write_text("Meta laid off staff.\n", encoding="utf-8")
    _brat_refused(empty_project, tmp_path, tmp_path / "annotation.conf", 1, "malformed #@annotary-name")


def test_progress_reports_each_pair(empty_project, tmp_path):
    for name in ("a", "b"):
        (tmp_path / f"{name}.txt").write_text(f"Meta laid off staff {name}.\n", encoding="utf-8")
        (tmp_path / f"{name}.ann").write_text("T1\tOrganization 0 4\tMeta\n", encoding="utf-8")
    seen = []
    reports = import_brat(empty_project, tmp_path, "alice", progress=lambda done, total: seen.append((done, total)))
    weight = 1 + len("T1\tOrganization 0 4\tMeta\n")  # a pair counts the bytes of its .ann, at least 1
    assert seen[-1] == (2 * weight, 2 * weight) and (weight, 2 * weight) in seen
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)  # never goes back
    assert [r.mentions for r in reports] == [1, 1]
    assert mentions_of(empty_project, 1) == [("Organization", 0, 4, "Meta")]


def test_progress_moves_within_one_large_file(empty_project, tmp_path, monkeypatch):
    """A single .ann of many lines: the bar moves while it is read and stored, not only at its end."""
    from app.core.interchange import brat

    monkeypatch.setattr(brat, "_TICK_LINES", 100)
    words = ["Meta"] * 1000
    (tmp_path / "big.txt").write_text(" ".join(words) + "\n", encoding="utf-8")
    (tmp_path / "big.ann").write_text("".join(f"T{i + 1}\tOrganization {5 * i} {5 * i + 4}\tMeta\n"
                                              for i in range(1000)), encoding="utf-8")
    seen = []
    import_brat(empty_project, tmp_path, "alice", progress=lambda done, total: seen.append((done, total)))
    total = seen[-1][1]
    assert seen[-1] == (total, total)
    assert len({done for done, _ in seen if 0 < done < total}) >= 5
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def test_labels_in_another_unicode_form_find_their_types(empty_project, tmp_path):
    """A label written decomposed (NFD, as macOS file names and some editors do) is the codebook's type."""
    import unicodedata

    from app.core.codebook import apply_codebook

    with empty_project.uow() as s:
        spec = read_codebook(s)
        spec.entity_types.append(EntityTypeSpec(name="Société", color="#336699"))
        apply_codebook(s, spec)
    folder = tmp_path / "nfd"
    folder.mkdir()
    (folder / "a.txt").write_text("La Société Générale licencie.\n", encoding="utf-8")
    label = unicodedata.normalize("NFD", "Société")
    assert label != "Société"
    (folder / "a.ann").write_text(f"T1\t{label} 3 10\tSociété\n", encoding="utf-8")
    import_brat(empty_project, folder, "alice")
    assert mentions_of(empty_project, 1) == [("Société", 3, 10, "Société")]


def test_offsets_in_other_scripts_digits_are_refused(empty_project, tmp_path):
    """brat writes ASCII digits; Arabic-Indic or Devanagari digits are not offsets."""
    folder = tmp_path / "digits"
    folder.mkdir()
    (folder / "a.txt").write_text("Meta laid off workers.\n", encoding="utf-8")
    (folder / "a.ann").write_text("T1\tOrganization ٠ ٤\tMeta\n", encoding="utf-8")
    with pytest.raises(AnnotationInputError, match="offsets must be two whole numbers"):
        import_brat(empty_project, folder, "alice")


def test_upper_case_ner_labels_are_the_codebooks_types(empty_project, tmp_path):
    """Stanford/MUC/OntoNotes labels (PERSON, DATE) are the default codebook's Person and Date:
    names are compared casefolded, so no second, look-alike type is made."""
    folder = tmp_path / "muc"
    folder.mkdir()
    (folder / "annotation.conf").write_text(
        "[entities]\nPERSON\nDATE\nMONEY\n[relations]\n[events]\n[attributes]\n", encoding="utf-8")
    (folder / "d1.txt").write_text("Mark Zuckerberg said on Tuesday that Meta will spend $14.3 billion.\n",
                                   encoding="utf-8")
    (folder / "d1.ann").write_text("T1\tPERSON 0 15\tMark Zuckerberg\nT2\tDATE 24 31\tTuesday\n", encoding="utf-8")
    [report] = import_brat(empty_project, folder, "alice")
    assert report.mentions == 2
    assert mentions_of(empty_project, 1) == [("Person", 0, 15, "Mark Zuckerberg"), ("Date", 24, 31, "Tuesday")]
    with empty_project.read() as s:
        assert "PERSON" not in set(s.scalars(select(EntityType.name)))


def test_attribute_values_differing_in_case_are_two_values(empty_project, tmp_path):
    """brat's TDT corpus: CASECHANGE Value:cap|Cap are two capitalisation classes."""
    folder = tmp_path / "tdt"
    folder.mkdir()
    (folder / "annotation.conf").write_text(
        "[entities]\nWord\n[relations]\n[events]\n[attributes]\nCASECHANGE\tArg:<ENTITY>, Value:cap|Cap\n",
        encoding="utf-8")
    (folder / "b.txt").write_text("the Cap cap\n", encoding="utf-8")
    (folder / "b.ann").write_text("T1\tWord 4 7\tCap\nA1\tCASECHANGE T1 Cap\nT2\tWord 8 11\tcap\nA2\tCASECHANGE T2 cap\n",
                                  encoding="utf-8")
    [report] = import_brat(empty_project, folder, "alice")
    assert (report.mentions, report.attributes) == (2, 2)
    with empty_project.read() as s:
        assert sorted(s.scalars(select(MentionAttributeValue.value))) == ["Cap", "cap"]
