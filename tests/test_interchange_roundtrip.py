"""Property tests: annotations stored through the services survive export → import.

Texts mix ASCII, Arabic with diacritics, Devanagari conjuncts and vowel signs,
emoji (surrogate-pair ones, ZWJ sequences, flags, variation selectors) and line
breaks; spans are arbitrary code-point ranges (they may cut a grapheme cluster).
Each example builds its own projects in a temporary folder (function-scoped
fixtures do not reset between hypothesis examples); projects are copied from a
template file made once, which keeps the examples fast.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.core.codebook import (
    AttributeSpec,
    CodebookSpec,
    EntityTypeSpec,
    EventTypeSpec,
    RoleSpec,
    apply_codebook,
    merge_codebooks,
    read_codebook,
)
from app.core.interchange.brat import export_brat, import_brat
from app.core.interchange.doccano import export_doccano, import_doccano
from app.core.models import (
    Attribute,
    Base,
    Document,
    EntityType,
    Event,
    EventRole,
    EventType,
    Mention,
    MentionAttributeValue,
)
from app.core.project import Project, create_project, open_project
from app.core.services.annotations import (
    add_argument,
    create_event,
    create_mention,
    set_event_attribute,
    set_mention_attribute,
)
from app.core.services.coders import get_or_create_coder
from app.core.services.documents import add_document
from app.core.services.projects import init_project

# Names that brat cannot hold as they are: spaces, '/', ':', '&', '.'
EXTRA = CodebookSpec(
    entity_types=[EntityTypeSpec("R&D / Lab team", "#123456")],
    event_types=[
        EventTypeSpec("Strike: walkout", "#654321", roles=[
            RoleSpec("Target org.", ["R&D / Lab team", "Organization"], repeatable=True),
            RoleSpec("Head count", ["Quantity"], repeatable=False),
            RoleSpec("Anyone", [], repeatable=True),
        ]),
    ],
    attributes=[
        AttributeSpec("Negated", "mention"),
        AttributeSpec("Certainty", "mention", ["high", "low / unsure", "50:50"]),
        AttributeSpec("Negated", "event", applies_to=["Strike: walkout"]),
    ],
)

CHUNKS = [
    "Meta", "Scale AI", " lays off ", "700", "14%", " ", "  ", "\n", "\n\n", ".", ",", "$14.3", "\t",
    "شركة", "تُلغي", "وظيفة", "مُّ", "ثَمانِيَة", "الذكاء", "٪",
    "कर्मचारियों", "छंटनी", "क्ष", "त्र", "नि", "हफ्ते", "ज़",
    "😀", "👩\u200d💻", "👩\u200d👩\u200d👧", "🇸🇦", "❤️", "👍🏽", "🏖️", "𝒜",
]
ALPHABET = "ab Z\n\u064f\u0651\u0650\u0915\u094d\u0937\u093f\u200d\U0001F600\U0001F3FD"

text_strategy = st.lists(
    st.one_of(st.sampled_from(CHUNKS), st.text(alphabet=ALPHABET, min_size=1, max_size=4)),
    min_size=1, max_size=25,
).map("".join).filter(lambda t: t.strip())

NOTES = ["", "", "checked", "two\nlines", "ملاحظة: مؤكد", "ends with a newline\n", "\nstarts with one"]

_TEMPLATES: dict[str, Path] = {}


def _template(kind: str, extra: CodebookSpec | None = None) -> Path:
    """A closed project file to copy: `default` (default codebook) or another kind (the default
    codebook + `extra`, EXTRA unless given; one template per kind)."""
    if kind not in _TEMPLATES:
        folder = Path(tempfile.mkdtemp(prefix="annotary-template-"))
        project = init_project(folder / f"{kind}.annotary", empty=True)
        if kind != "default":
            with project.uow() as session:
                apply_codebook(session, merge_codebooks(read_codebook(session), extra or EXTRA))
        project.close()
        assert not Path(f"{folder / kind}.annotary-wal").exists()
        _TEMPLATES[kind] = folder / f"{kind}.annotary"
    return _TEMPLATES[kind]


def fresh_project(folder: Path, name: str, kind: str, extra: CodebookSpec | None = None) -> Project:
    target = folder / f"{name}.annotary"
    shutil.copyfile(_template(kind, extra), target)
    return open_project(target)


def snapshot(project: Project) -> dict[str, dict]:
    """Everything a round trip must keep, per document text, independent of ids."""
    out: dict[str, dict] = {}
    with project.read() as s:
        etypes = {t.id: t.name for t in s.scalars(select(EntityType))}
        evtypes = {t.id: t.name for t in s.scalars(select(EventType))}
        roles = {r.id: r.name for r in s.scalars(select(EventRole))}
        attrs = {a.id: a.name for a in s.scalars(select(Attribute))}
        for doc in s.scalars(select(Document)):
            mentions = {}
            for m in s.scalars(select(Mention).where(Mention.document_id == doc.id)):
                values = s.scalars(select(MentionAttributeValue).where(MentionAttributeValue.mention_id == m.id))
                assert m.text == doc.text[m.start:m.end]
                mentions[m.id] = (etypes[m.entity_type_id], m.start, m.end, m.text, m.note,
                                  tuple(sorted((attrs[v.attribute_id], v.value) for v in values)))
            events = []
            for e in s.scalars(select(Event).where(Event.document_id == doc.id)):
                if e.trigger_start is not None:
                    assert e.trigger_text == doc.text[e.trigger_start:e.trigger_end]
                events.append((
                    evtypes[e.event_type_id], e.trigger_start, e.trigger_end, e.note,
                    tuple(sorted((roles[a.role_id], mentions[a.mention_id][:3]) for a in e.arguments)),
                    tuple(sorted((attrs[v.attribute_id], v.value) for v in e.attributes)),
                ))
            out[doc.text] = {"mentions": sorted(mentions.values()), "events": sorted(events, key=repr)}
    return out


def row_counts(project: Project) -> dict[str, int]:
    with project.read() as s:
        return {t.name: s.execute(select(func.count()).select_from(t)).scalar_one() for t in Base.metadata.sorted_tables}


@st.composite
def annotated_documents(draw):
    """A text and the annotations to store on it, all valid for the extended codebook."""
    text = draw(text_strategy)
    n = len(text)
    spec = merge_codebooks(_default_spec(), EXTRA)
    entity_names = [t.name for t in spec.entity_types]

    def span():
        start = draw(st.integers(0, n - 1))
        return start, draw(st.integers(start + 1, n))

    mentions = []
    for _ in range(draw(st.integers(0, 7))):
        etype = draw(st.sampled_from(entity_names))
        attrs = {}
        if draw(st.booleans()):
            attrs["Negated"] = "true"
        if draw(st.booleans()):
            attrs["Certainty"] = draw(st.sampled_from(["high", "low / unsure", "50:50"]))
        mentions.append({"type": etype, "span": span(), "note": draw(st.sampled_from(NOTES)), "attrs": attrs})

    events = []
    for _ in range(draw(st.integers(0, 4))):
        etype = draw(st.sampled_from(spec.event_types))
        args: list[tuple[str, int]] = []
        for _ in range(draw(st.integers(0, 4)) if mentions else 0):
            index = draw(st.integers(0, len(mentions) - 1))
            mtype = mentions[index]["type"]
            fitting = [r for r in etype.roles if not r.accepts or mtype in r.accepts]
            if not fitting:
                continue
            role = draw(st.sampled_from(fitting))
            if (role.name, index) in args or (not role.repeatable and any(r == role.name for r, _ in args)):
                continue
            args.append((role.name, index))
        trigger = span() if draw(st.booleans()) or not args else None
        attrs = {}
        if draw(st.booleans()):
            attrs["Modality"] = draw(st.sampled_from(["asserted", "reported", "planned", "denied", "reversed"]))
        if etype.name == "Strike: walkout" and draw(st.booleans()):
            attrs["Negated"] = "true"
        events.append({"type": etype.name, "trigger": trigger, "args": args, "attrs": attrs,
                       "note": draw(st.sampled_from(NOTES))})
    return text, mentions, events


_DEFAULT: list[CodebookSpec] = []


def _default_spec() -> CodebookSpec:
    if not _DEFAULT:
        project = open_project(_template("default"))
        with project.read() as s:
            _DEFAULT.append(read_codebook(s))
        project.close()
    return _DEFAULT[0]


def store(project: Project, text: str, mentions: list[dict], events: list[dict], coder: str = "alice") -> None:
    with project.uow() as s:
        doc, _ = add_document(s, text, "generated.txt")
        who = get_or_create_coder(s, coder)
        etypes = {t.name: t for t in s.scalars(select(EntityType))}
        evtypes = {t.name: t for t in s.scalars(select(EventType))}
        attrs = {(a.target, a.name): a for a in s.scalars(select(Attribute))}
        stored = []
        for m in mentions:
            row = create_mention(s, doc.id, who.id, etypes[m["type"]].id, *m["span"], note=m["note"])
            for name, value in m["attrs"].items():
                set_mention_attribute(s, row.id, attrs[("mention", name)].id, value)
            stored.append(row)
        for e in events:
            etype = evtypes[e["type"]]
            row = create_event(s, doc.id, who.id, etype.id, e["trigger"], note=e["note"])
            roles = {r.name: r for r in etype.roles}
            for role, index in e["args"]:
                add_argument(s, row.id, roles[role].id, stored[index].id)
            for name, value in e["attrs"].items():
                set_event_attribute(s, row.id, attrs[("event", name)].id, value)


SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(annotated_documents())
def test_brat_round_trip(case):
    text, mentions, events = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = fresh_project(folder, "source", "extended")
        target = fresh_project(folder, "target", "default")  # the codebook additions travel in annotation.conf
        try:
            store(source, text, mentions, events)
            summary = export_brat(source, folder / "brat")
            assert summary.warnings == []
            reports = import_brat(target, folder / "brat", "bob")
            assert [r.new_document for r in reports] == [True]
            assert snapshot(target) == snapshot(source)
            with source.read() as s1, target.read() as s2:
                assert read_codebook(s2).entity_type("R&D / Lab team") is not None
                assert read_codebook(s2).event_type("Strike: walkout") == read_codebook(s1).event_type(
                    "Strike: walkout")
        finally:
            source.close()
            target.close()


@SETTINGS
@given(annotated_documents())
def test_doccano_round_trip(case):
    text, mentions, events = case
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source = fresh_project(folder, "source", "extended")
        target = fresh_project(folder, "target", "extended")  # doccano carries no codebook
        try:
            store(source, text, mentions, events)
            export_doccano(source, folder / "out.jsonl")
            reports = import_doccano(target, folder / "out.jsonl", "bob")
            assert len(reports) == 1
            assert snapshot(target) == snapshot(source)
        finally:
            source.close()
            target.close()


@settings(max_examples=25, deadline=None)
@given(text_strategy, st.data())
def test_crlf_offsets_map_to_the_stored_text(text, data):
    """Spans given on a CRLF copy of a text land on the same characters of the stored text."""
    from app.core.interchange.common import OffsetMap

    raw = text.replace("\n", "\r\n")
    omap = OffsetMap(raw)
    assert omap.text == text
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    raw_start = start + text[:start].count("\n")
    raw_end = end + text[:end].count("\n")
    assert omap.check(raw_start, raw_end) is None
    assert omap.span(raw_start, raw_end) == (start, end)
    assert omap.text[start:end] == raw[raw_start:raw_end].replace("\r\n", "\n")


def test_two_coders_round_trip_as_separate_files(tmp_path):
    """Each coder's work is its own pair/line; both land on one document when imported."""
    source = fresh_project(tmp_path, "source", "default")
    target = fresh_project(tmp_path, "target", "default")
    try:
        text = "Meta cut 600 jobs.\nScale AI 😀 cut 200."
        store(source, text, [{"type": "Organization", "span": (0, 4), "note": "", "attrs": {}}], [], "alice")
        store(source, text, [{"type": "Quantity", "span": (9, 17), "note": "", "attrs": {}}], [], "bob")
        summary = export_brat(source, tmp_path / "brat")
        names = sorted(p.name for p in summary.files)
        assert [n for n in names if n.endswith(".ann")] == ["generated.alice.ann", "generated.bob.ann"]
        reports = import_brat(target, tmp_path / "brat", "carol")
        assert [r.status for r in reports] == ["new", "attached"]
        assert snapshot(target) == snapshot(source)
        assert row_counts(target)["documents"] == 1
    finally:
        source.close()
        target.close()


def test_import_into_a_project_without_codebook_gives_back_the_exact_names(tmp_path):
    source = fresh_project(tmp_path, "source", "extended")
    target = create_project(tmp_path / "bare.annotary")
    try:
        store(source, "x", [], [])
        export_brat(source, tmp_path / "brat")
        import_brat(target, tmp_path / "brat", "bob")

        def shape(spec: CodebookSpec):
            return (
                [t.name for t in spec.entity_types],
                [(t.name, [(r.name, r.accepts, r.repeatable) for r in t.roles]) for t in spec.event_types],
                sorted((a.name, a.target, a.values, a.applies_to) for a in spec.attributes),
                [(t.name, t.color) for t in spec.entity_types + spec.event_types],
            )

        with source.read() as s1, target.read() as s2:
            assert shape(read_codebook(s2)) == shape(read_codebook(s1))
    finally:
        source.close()
        target.close()


@pytest.mark.parametrize("fmt", ["brat", "doccano"])
def test_reimport_of_an_export_attaches_to_the_same_document(tmp_path, fmt):
    project = fresh_project(tmp_path, "p", "default")
    try:
        store(project, "شركة Scale AI تُلغي 700 وظيفة", [{"type": "Organization", "span": (5, 13), "note": "",
                                                         "attrs": {}}], [])
        before = row_counts(project)
        if fmt == "brat":
            export_brat(project, tmp_path / "out")
            reports = import_brat(project, tmp_path / "out", "alice")
        else:
            export_doccano(project, tmp_path / "out.jsonl")
            reports = import_doccano(project, tmp_path / "out.jsonl", "alice")
        assert [(r.document_id, r.new_document, r.mentions, r.skipped_mentions) for r in reports] == [(1, False, 0, 1)]
        after = row_counts(project)
        assert after["documents"] == before["documents"] == 1
        assert after["mentions"] == 1  # alice already had that mention: not stored twice
    finally:
        project.close()
