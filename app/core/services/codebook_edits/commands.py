"""Codebook edits for the app: each runs through the workspace's history (one undo entry, one
transaction, one published Change) and then re-reads the workspace's codebook view.

Functions take the workspace rather than being its methods, so the editor needs nothing new
from `Workspace`. Items are named by table (`ENTITY`, `EVENT`, `ROLE`, `ATTRIBUTE`, `CODE`, `RELATION`) and id.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from app.core.codebook import usage as u
from app.core.codebook.rows import ATTRIBUTE, CODE, ENTITY, EVENT, RELATION, ROLE
from app.core.errors import CodebookError
from app.core.models import Attribute, RelationType
from app.core.services.codebook_edits import edits as e
from app.core.services.codebook_edits import edits_values as v
from app.core.services.codebook_edits import merges as m
from app.core.services.codebook_edits import relation_edits as r
from app.core.services.codebook_edits.action import CodebookEdit

if TYPE_CHECKING:
    from app.core.services.workspace import Workspace

__all__ = ["ATTRIBUTE", "CODE", "ENTITY", "EVENT", "RELATION", "ROLE"]

A = TypeVar("A", bound=CodebookEdit)


def run_edit(workspace: Workspace, action: A) -> A:
    workspace.history.run(action)
    workspace.load_codebook()
    return action


def add_entity_type(workspace: Workspace, name: str, color: str | None = None, hotkey: str | None = None,
                    definition: str = "") -> int:
    return run_edit(workspace, e.AddType(ENTITY, name, color, hotkey, definition)).item_id  # type: ignore[return-value]


def add_event_type(workspace: Workspace, name: str, color: str | None = None, hotkey: str | None = None,
                   definition: str = "") -> int:
    return run_edit(workspace, e.AddType(EVENT, name, color, hotkey, definition)).item_id  # type: ignore[return-value]


def add_role(workspace: Workspace, event_type_id: int, name: str, accepts: list[int] | None = None,
             repeatable: bool = False, definition: str = "") -> int:
    action = e.AddRole(event_type_id, name, list(accepts or []), repeatable, definition)
    return run_edit(workspace, action).item_id  # type: ignore[return-value]


def add_relation_type(workspace: Workspace, name: str, color: str | None = None, hotkey: str | None = None,
                      definition: str = "", source_accepts: list[int] | None = None,
                      target_accepts: list[int] | None = None, symmetric: bool = False) -> int:
    action = r.AddRelationType(name, color, hotkey, definition, list(source_accepts or []),
                               list(target_accepts or []), symmetric)
    return run_edit(workspace, action).item_id  # type: ignore[return-value]


def add_attribute(workspace: Workspace, name: str, target: str = "event", values: list[str] | None = None,
                  applies_to: list[str] | None = None, definition: str = "") -> int:
    action = v.AddAttribute(name, target, list(values or []), list(applies_to or []), definition)
    return run_edit(workspace, action).item_id  # type: ignore[return-value]


def add_document_code(workspace: Workspace, name: str, level: str = "nominal", values: list[str] | None = None,
                      definition: str = "") -> int:
    return run_edit(workspace, v.AddDocumentCode(name, level, list(values or []), definition)).item_id  # type: ignore[return-value]


def rename(workspace: Workspace, table: str, item_id: int, name: str) -> None:
    run_edit(workspace, e.Rename(table, item_id, name))


def recolour(workspace: Workspace, table: str, item_id: int, color: str) -> None:
    run_edit(workspace, e.Recolour(table, item_id, color))


def set_hotkey(workspace: Workspace, table: str, item_id: int, hotkey: str | None) -> None:
    run_edit(workspace, e.SetHotkey(table, item_id, hotkey))


def set_definition(workspace: Workspace, table: str, item_id: int, definition: str) -> None:
    run_edit(workspace, e.SetDefinition(table, item_id, definition))


def move(workspace: Workspace, table: str, item_id: int, step: int) -> None:
    run_edit(workspace, e.Move(table, item_id, step))


def remove(workspace: Workspace, table: str, item_id: int) -> None:
    run_edit(workspace, e.Remove(table, item_id))


def set_role_accepts(workspace: Workspace, role_id: int, entity_type_ids: list[int]) -> None:
    run_edit(workspace, e.SetRoleAccepts(role_id, list(entity_type_ids)))


def set_role_accepts_events(workspace: Workspace, role_id: int, event_type_ids: list[int]) -> None:
    run_edit(workspace, e.SetRoleAcceptsEvents(role_id, list(event_type_ids)))


def set_relation_accepts(workspace: Workspace, relation_type_id: int, end: str, entity_type_ids: list[int]) -> None:
    """What the "source" or the "target" of a relation type accepts (none: any entity type)."""
    run_edit(workspace, r.SetRelationAccepts(relation_type_id, end, list(entity_type_ids)))


def set_relation_symmetric(workspace: Workspace, relation_type_id: int, symmetric: bool) -> None:
    run_edit(workspace, r.SetRelationSymmetric(relation_type_id, symmetric))


def set_relation_transitive(workspace: Workspace, relation_type_id: int, transitive: bool) -> None:
    """Make a relation type an equivalence (brat's Equiv; symmetric too) or not."""
    run_edit(workspace, r.SetRelationTransitive(relation_type_id, transitive))


def is_transitive(workspace: Workspace, relation_type_id: int) -> bool:
    """Whether the stored relation type is transitive (an equivalence)."""
    with workspace.project.read() as s:
        rtype = s.get(RelationType, relation_type_id)
        return rtype is not None and bool(rtype.transitive)


def set_role_repeatable(workspace: Workspace, role_id: int, repeatable: bool) -> None:
    run_edit(workspace, e.SetRoleRepeatable(role_id, repeatable))


def set_values(workspace: Workspace, table: str, item_id: int, values: list[str]) -> None:
    run_edit(workspace, v.SetValues(table, item_id, list(values)))


def rename_value(workspace: Workspace, table: str, item_id: int, old: str, new: str) -> None:
    run_edit(workspace, v.RenameValue(table, item_id, old, new))


def set_applies_to(workspace: Workspace, attribute_id: int, names: list[str]) -> None:
    run_edit(workspace, v.SetAppliesTo(attribute_id, list(names)))


def set_level(workspace: Workspace, code_id: int, level: str) -> None:
    run_edit(workspace, v.SetLevel(code_id, level))


def merge(workspace: Workspace, table: str, source_id: int, target_id: int) -> None:
    """Merge an entity type into another, or an event type into another."""
    if table == ENTITY:
        run_edit(workspace, m.MergeEntityType(source_id, target_id))
    elif table == EVENT:
        run_edit(workspace, m.MergeEventType(source_id, target_id))
    else:
        raise CodebookError("only entity types and event types can be merged")


def usage_note(workspace: Workspace, table: str, item_id: int) -> str:
    """What stored annotations use an item ('used by 212 mentions in 5 documents'), or ''."""
    with workspace.project.read() as s:
        if table == ENTITY:
            usage, noun = u.mentions_of_type(s, item_id), "mention"
        elif table == EVENT:
            usage, noun = u.events_of_type(s, item_id), "event"
        elif table == ROLE:
            usage, noun = u.fillers_of_role(s, item_id), "argument"
        elif table == RELATION:
            usage, noun = u.relations_of_type(s, item_id), "relation"
        elif table == ATTRIBUTE:
            target = s.get(Attribute, item_id)
            if target is None:
                return ""
            usage, noun = u.attribute_values(s, item_id, target.target), target.target
        else:
            usage = u.code_values(s, item_id)
            return f"coded for {u.plural(usage.documents, 'document')}" if usage else "not coded yet"
    return f"used by {u.uses(usage, noun)}" if usage else "not used yet"
