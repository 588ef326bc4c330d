"""The codebook: plain spec, its file format and its storage."""

from app.core.codebook.fileformat import (
    codebook_from_dict,
    codebook_to_dict,
    load_codebook,
    save_codebook,
)
from app.core.codebook.spec import (
    AttributeSpec,
    CodebookSpec,
    DocumentCodeSpec,
    EntityTypeSpec,
    EventTypeSpec,
    RelationTypeSpec,
    RoleSpec,
)
from app.core.codebook.store import (
    apply_codebook,
    codebook_differences,
    merge_codebooks,
    read_codebook,
    remove_entity_type,
    remove_event_type,
)

__all__ = [
    "AttributeSpec", "CodebookSpec", "DocumentCodeSpec", "EntityTypeSpec", "EventTypeSpec", "RelationTypeSpec", "RoleSpec",
    "apply_codebook", "codebook_differences", "codebook_from_dict", "codebook_to_dict", "load_codebook", "merge_codebooks",
    "read_codebook", "remove_entity_type", "remove_event_type", "save_codebook",
]
