"""ORM models of an Annotary project."""

from app.core.models.annotations import (
    DocumentCodeValue,
    Event,
    EventArgument,
    EventAttributeValue,
    Mention,
    MentionAttributeValue,
    Relation,
)
from app.core.models.base import Base, utcnow
from app.core.models.codebook import (
    Attribute,
    DocumentCode,
    EntityType,
    EventRole,
    EventType,
    RelationType,
    relation_source_accepts,
    relation_target_accepts,
    role_accepts,
    role_accepts_events,
)
from app.core.models.documents import CODER_ROLES, Coder, Document, DocumentStatus
from app.core.models.references import AnnotationNote, ExternalReference
from app.core.models.review import GoldRejection, ProjectSetting

__all__ = [
    "CODER_ROLES",
    "AnnotationNote",
    "Attribute",
    "Base",
    "Coder",
    "Document",
    "DocumentCode",
    "DocumentCodeValue",
    "DocumentStatus",
    "EntityType",
    "Event",
    "EventArgument",
    "EventAttributeValue",
    "EventRole",
    "EventType",
    "ExternalReference",
    "GoldRejection",
    "Mention",
    "MentionAttributeValue",
    "ProjectSetting",
    "Relation",
    "RelationType",
    "relation_source_accepts",
    "relation_target_accepts",
    "role_accepts",
    "role_accepts_events",
    "utcnow",
]
