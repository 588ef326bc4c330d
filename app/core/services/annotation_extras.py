"""What the annotation forms show besides types and attributes: an annotation's external
references (brat normalisations, `Wikipedia:534366 — Barack Obama`) and typed notes
(`Lemma: word`), read-only, in the order they were given. Qt-free."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.core.models import AnnotationNote, ExternalReference
from app.core.project import Project

OWNERS = ("mention", "event", "relation")
DEFAULT_REFERENCE_TYPE = "Reference"


@dataclass(frozen=True)
class Extras:
    references: tuple[str, ...] = ()
    """One line each: `Wikipedia:534366 — Barack Obama` (the type first when not brat's default
    `Reference`: `Lookup: Wikipedia:534366`)."""
    notes: tuple[str, ...] = ()
    """One line each: `Lemma: word`."""

    def __bool__(self) -> bool:
        return bool(self.references or self.notes)


def reference_line(ref: ExternalReference) -> str:
    line = ref.reference + (f" — {ref.text}" if ref.text else "")
    return line if ref.type == DEFAULT_REFERENCE_TYPE else f"{ref.type}: {line}"


def annotation_extras(project: Project, owner: str, owner_id: int) -> Extras:
    """The references and typed notes of the mention, event or relation `owner_id` (none: an
    annotation that has none, or is gone)."""
    if owner not in OWNERS:
        raise ValueError(f"notes and references belong to a mention, an event or a relation, not a {owner!r}")
    column = f"{owner}_id"
    with project.read() as s:
        notes = tuple(f"{n.type}: {n.text}" for n in s.scalars(
            select(AnnotationNote).where(getattr(AnnotationNote, column) == owner_id).order_by(AnnotationNote.id)))
        refs: tuple[str, ...] = ()
        if owner != "relation":  # brat normalises entities and events only
            refs = tuple(reference_line(r) for r in s.scalars(
                select(ExternalReference).where(getattr(ExternalReference, column) == owner_id)
                .order_by(ExternalReference.id)))
    return Extras(refs, notes)
