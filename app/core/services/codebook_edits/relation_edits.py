"""Codebook edits of relation types beyond those of any type (rename, recolour, hotkey, define,
move, remove are in `edits`): add one, what its ends accept, whether it is symmetric, whether it
is transitive (an equivalence, brat's Equiv)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app.core.codebook.rows import ENTITY, RELATION, SOURCE_ACCEPTS, TARGET_ACCEPTS, CodebookRows
from app.core.errors import CodebookError
from app.core.services.codebook_edits.action import CodebookEdit
from app.core.services.codebook_edits.edits import new_type
from app.core.services.codebook_edits.nested_refs import check_can_be_symmetric, check_relation_ends

ENDS = {"source": SOURCE_ACCEPTS, "target": TARGET_ACCEPTS}


def _entity_ids(rows: CodebookRows, ids: list[int]) -> list[int]:
    return [rows.get(ENTITY, t)["id"] for t in dict.fromkeys(ids)]


@dataclass
class AddRelationType(CodebookEdit):
    name: str
    color: str | None = None
    hotkey: str | None = None
    definition: str = ""
    source_accepts: list[int] = field(default_factory=list)
    target_accepts: list[int] = field(default_factory=list)
    symmetric: bool = False
    item_id: int | None = None

    def edit(self, session: Session, rows: CodebookRows) -> None:
        row = new_type(rows, RELATION, self.name, self.color, self.hotkey, self.definition)
        row["symmetric"] = bool(self.symmetric)
        rows.set_linked(SOURCE_ACCEPTS, row["id"], _entity_ids(rows, self.source_accepts))
        rows.set_linked(TARGET_ACCEPTS, row["id"], _entity_ids(rows, self.target_accepts))
        self.item_id = row["id"]
        self.label = f"add relation type {row['name']}"


@dataclass
class SetRelationAccepts(CodebookEdit):
    """The entity types the source or the target of a relation type accepts (none: any type).
    Refused while stored relations link a mention of a type it would no longer accept there."""

    relation_type_id: int
    end: str
    accepts: list[int]

    def edit(self, session: Session, rows: CodebookRows) -> None:
        rel = rows.get(RELATION, self.relation_type_id)
        if self.end not in ENDS:
            raise CodebookError(f"a relation type has a source and a target, not a {self.end!r}")
        rows.set_linked(ENDS[self.end], self.relation_type_id, _entity_ids(rows, self.accepts))
        check_relation_ends(session, rows, self.relation_type_id)
        self.label = f"change what the {self.end} of {rel['name']} accepts"


@dataclass
class SetRelationSymmetric(CodebookEdit):
    relation_type_id: int
    symmetric: bool

    def edit(self, session: Session, rows: CodebookRows) -> None:
        rel = rows.get(RELATION, self.relation_type_id)
        if self.symmetric and not rel["symmetric"]:
            check_can_be_symmetric(session, rows, self.relation_type_id)
        rel["symmetric"] = bool(self.symmetric)
        if not self.symmetric:
            rel["transitive"] = False  # an equivalence is symmetric: a directed type is none
        self.label = f"make {rel['name']} {'symmetric' if self.symmetric else 'directed'}"


@dataclass
class SetRelationTransitive(CodebookEdit):
    """Whether a relation type is an equivalence (brat's Equiv: symmetric and transitive). It
    changes only how brat export groups its relations; a transitive type is symmetric, so
    setting it makes the type symmetric too (refused, as that is, while both directions are stored)."""

    relation_type_id: int
    transitive: bool

    def edit(self, session: Session, rows: CodebookRows) -> None:
        rel = rows.get(RELATION, self.relation_type_id)
        if self.transitive and not rel["symmetric"]:
            check_can_be_symmetric(session, rows, self.relation_type_id)
            rel["symmetric"] = True
        rel["transitive"] = bool(self.transitive)
        self.label = (f"make {rel['name']} an equivalence (transitive)" if self.transitive
                      else f"make {rel['name']} not transitive")
