"""Annotation services: exact offsets, the checks coders rely on, one transaction per action."""

import pytest
from sqlalchemy import func, select

from app.core.errors import AnnotaryError
from app.core.models import (
    Attribute,
    DocumentCode,
    DocumentCodeValue,
    DocumentStatus,
    EntityType,
    Event,
    EventArgument,
    EventAttributeValue,
    EventType,
    Mention,
)
from app.core.services import annotations as svc
from app.core.services.coders import get_or_create_coder
from app.core.services.documents import add_document

pytestmark = pytest.mark.both_backends  # the project fixtures run on SQLite and on PostgreSQL

TEXT = "Meta 😀 laid off 👩‍💻 7,000; شركةُ Scale AI تُلغي 700 وظيفة; कॉन्ट्रैक्टरों की टीम\n"


@pytest.fixture
def ctx(empty_project):
    with empty_project.uow() as s:
        doc, _ = add_document(s, TEXT, "mixed.txt")
        coder = get_or_create_coder(s, "alice")
        types = {t.name: t.id for t in s.scalars(select(EntityType))}
        events = {t.name: t for t in s.scalars(select(EventType))}
        roles = {(e.name, r.name): r.id for e in events.values() for r in e.roles}
        attrs = {a.name: a.id for a in s.scalars(select(Attribute))}
        codes = {c.name: c.id for c in s.scalars(select(DocumentCode))}
    return dict(p=empty_project, doc=doc.id, coder=coder.id, types=types,
                events={k: v.id for k, v in events.items()}, roles=roles, attrs=attrs, codes=codes)


def _mention(ctx, needle, type_name):
    start = TEXT.index(needle)
    with ctx["p"].uow() as s:
        return svc.create_mention(s, ctx["doc"], ctx["coder"], ctx["types"][type_name], start, start + len(needle)).id


@pytest.mark.parametrize("needle", ["Meta", "7,000", "شركةُ", "Scale AI", "700", "कॉन्ट्रैक्टरों", "👩‍💻"])
def test_stored_offsets_are_code_points_equal_to_the_slice(ctx, needle):
    mid = _mention(ctx, needle, "Organization")
    with ctx["p"].read() as s:
        m = s.get(Mention, mid)
        assert TEXT[m.start:m.end] == m.text == needle
        assert m.created_at is not None and m.modified_at is not None and m.coder_id == ctx["coder"]


@pytest.mark.parametrize("start, end, message", [(-1, 3, "before the start"), (5, 500, "past the end"), (4, 4, "empty"), (6, 2, "empty")])
def test_bad_spans_are_refused_and_nothing_stored(ctx, start, end, message):
    with pytest.raises(AnnotaryError, match=message), ctx["p"].uow() as s:
        svc.create_mention(s, ctx["doc"], ctx["coder"], ctx["types"]["Person"], start, end)
    with ctx["p"].read() as s:
        assert s.scalar(select(func.count()).select_from(Mention)) == 0


def test_event_roles_check_types_and_repeats(ctx):
    org, count, money, other_org = (
        _mention(ctx, "Meta", "Organization"), _mention(ctx, "700", "Quantity"),
        _mention(ctx, "7,000", "Money"), _mention(ctx, "Scale AI", "Organization"),
    )
    p = ctx["p"]
    with p.uow() as s:
        ev = svc.create_event(s, ctx["doc"], ctx["coder"], ctx["events"]["Layoff"], trigger=(TEXT.index("تُلغي"), TEXT.index("تُلغي") + 5))
        assert ev.trigger_text == "تُلغي"
        svc.add_argument(s, ev.id, ctx["roles"][("Layoff", "Actor")], org)
        svc.add_argument(s, ev.id, ctx["roles"][("Layoff", "Actor")], other_org)  # Actor repeats
        svc.add_argument(s, ev.id, ctx["roles"][("Layoff", "Count")], count)
        event_id = ev.id
    with pytest.raises(AnnotaryError, match="Count of Layoff accepts Quantity, not Money"), p.uow() as s:
        svc.add_argument(s, event_id, ctx["roles"][("Layoff", "Count")], money)
    with pytest.raises(AnnotaryError, match="takes one mention and is already filled"), p.uow() as s:
        svc.add_argument(s, event_id, ctx["roles"][("Layoff", "Count")], _mention(ctx, "7,000", "Quantity"))
    with pytest.raises(AnnotaryError, match="already the Actor"), p.uow() as s:
        svc.add_argument(s, event_id, ctx["roles"][("Layoff", "Actor")], org)
    with pytest.raises(AnnotaryError, match="no role"), p.uow() as s:
        svc.add_argument(s, event_id, ctx["roles"][("Departure", "Origin")], org)
    with pytest.raises(AnnotaryError, match="does not accept"), p.uow() as s:
        svc.retype_mention(s, count, ctx["types"]["Person"])
    with p.read() as s:
        assert s.scalar(select(func.count()).select_from(EventArgument)) == 3


def test_attributes_codes_status(ctx):
    p = ctx["p"]
    with p.uow() as s:
        ev = svc.create_event(s, ctx["doc"], ctx["coder"], ctx["events"]["Hiring/Poaching offer"])
        svc.set_event_attribute(s, ev.id, ctx["attrs"]["Modality"], "reported")
        event_id = ev.id
    with pytest.raises(AnnotaryError, match="not a value of Modality"), p.uow() as s:
        svc.set_event_attribute(s, event_id, ctx["attrs"]["Modality"], "rumoured")
    with p.uow() as s:
        svc.set_event_attribute(s, event_id, ctx["attrs"]["Modality"], "planned")
        svc.set_document_code(s, ctx["doc"], ctx["coder"], ctx["codes"]["tone"], "negative")
        svc.set_status(s, ctx["doc"], ctx["coder"], "done")
    with pytest.raises(AnnotaryError, match="not a value of tone"), p.uow() as s:
        svc.set_document_code(s, ctx["doc"], ctx["coder"], ctx["codes"]["tone"], "angry")
    with p.read() as s:
        assert s.scalars(select(EventAttributeValue.value)).all() == ["planned"]
        assert s.scalars(select(DocumentCodeValue.value)).all() == ["negative"]
        assert s.scalars(select(DocumentStatus.status)).all() == ["done"]
    with p.uow() as s:
        svc.set_event_attribute(s, event_id, ctx["attrs"]["Modality"], None)
        svc.set_document_code(s, ctx["doc"], ctx["coder"], ctx["codes"]["tone"], None)
    with p.read() as s:
        assert s.scalar(select(func.count()).select_from(EventAttributeValue)) == 0
        assert s.scalar(select(func.count()).select_from(DocumentCodeValue)) == 0


def test_deleting_a_mention_removes_its_arguments_not_the_event(ctx):
    org = _mention(ctx, "Meta", "Organization")
    with ctx["p"].uow() as s:
        ev = svc.create_event(s, ctx["doc"], ctx["coder"], ctx["events"]["Layoff"])
        svc.add_argument(s, ev.id, ctx["roles"][("Layoff", "Actor")], org)
    with ctx["p"].uow() as s:
        svc.delete_mention(s, org)
    with ctx["p"].read() as s:
        assert s.scalar(select(func.count()).select_from(EventArgument)) == 0
        assert s.scalar(select(func.count()).select_from(Event)) == 1


def test_coder_names(empty_project):
    with empty_project.uow() as s:
        a = get_or_create_coder(s, "  Alice   Smith ")
        b = get_or_create_coder(s, "Alice Smith")
        assert a.id == b.id and a.name == "Alice Smith"
        with pytest.raises(AnnotaryError):
            get_or_create_coder(s, "   ")


def _add_numeric_code(ctx, level):
    from app.core.codebook import DocumentCodeSpec, apply_codebook, read_codebook

    with ctx["p"].uow() as s:
        spec = read_codebook(s)
        spec.document_codes.append(DocumentCodeSpec("score", level))
        apply_codebook(s, spec)
        return s.scalar(select(DocumentCode.id).where(DocumentCode.name == "score"))


@pytest.mark.parametrize("value", ["inf", "1e400", "nan", "-inf"])
def test_non_finite_interval_values_are_refused(ctx, value):
    code = _add_numeric_code(ctx, "interval")
    with pytest.raises(AnnotaryError, match="finite number"), ctx["p"].uow() as s:
        svc.set_document_code(s, ctx["doc"], ctx["coder"], code, value)
    with ctx["p"].uow() as s:
        svc.set_document_code(s, ctx["doc"], ctx["coder"], code, "4.5")
    with ctx["p"].read() as s:
        assert s.scalars(select(DocumentCodeValue.value).where(DocumentCodeValue.code_id == code)).all() == ["4.5"]


def test_codebook_names_are_stored_nfc_and_lookalikes_refused(ctx):
    import unicodedata

    from app.core.codebook import EntityTypeSpec, apply_codebook, read_codebook
    from app.core.errors import CodebookError

    nfd = unicodedata.normalize("NFD", "Café")
    with ctx["p"].uow() as s:
        spec = read_codebook(s)
        spec.entity_types.append(EntityTypeSpec(nfd, "#123456"))
        apply_codebook(s, spec)
    with ctx["p"].read() as s:
        assert s.scalar(select(func.count()).where(EntityType.name == "Café")) == 1
    for lookalike in (nfd, "café"):
        with pytest.raises(CodebookError, match="defined twice"), ctx["p"].uow() as s:
            spec = read_codebook(s)
            spec.entity_types.append(EntityTypeSpec(lookalike, "#654321"))
            apply_codebook(s, spec)


def test_a_stored_name_in_another_form_is_renamed_not_replaced(ctx):
    import unicodedata

    from app.core.codebook import apply_codebook, read_codebook

    nfd = unicodedata.normalize("NFD", "Organización")
    mid = _mention(ctx, "Meta", "Organization")
    with ctx["p"].uow() as s:
        s.get(EntityType, ctx["types"]["Organization"]).name = nfd  # as an older Annotary might have stored it
    with ctx["p"].uow() as s:
        apply_codebook(s, read_codebook(s))
    with ctx["p"].read() as s:
        assert s.get(EntityType, ctx["types"]["Organization"]).name == "Organización"
        assert s.get(Mention, mid).entity_type_id == ctx["types"]["Organization"]
