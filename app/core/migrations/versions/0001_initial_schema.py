"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-22 07:27:00.958009
"""
import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('attributes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('target', sa.String(length=7), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('values_json', sa.Text(), nullable=False),
    sa.Column('applies_to_json', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("target IN ('event', 'mention')", name=op.f('ck_attributes_target')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attributes')),
    sa.UniqueConstraint('target', 'name', name=op.f('uq_attributes_target_name'))
    )
    op.create_table('coders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coders')),
    sa.UniqueConstraint('name', name=op.f('uq_coders_name'))
    )
    op.create_table('document_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('level', sa.String(length=8), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('values_json', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint("level IN ('nominal', 'ordinal', 'interval', 'ratio')", name=op.f('ck_document_codes_level')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_codes')),
    sa.UniqueConstraint('name', name=op.f('uq_document_codes_name'))
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=400), nullable=False),
    sa.Column('filename', sa.String(length=400), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('direction', sa.String(length=3), nullable=False),
    sa.Column('source_encoding', sa.String(length=40), nullable=False),
    sa.Column('chars', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('imported_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("direction IN ('ltr', 'rtl')", name=op.f('ck_documents_direction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents')),
    sa.UniqueConstraint('sha256', name=op.f('uq_documents_sha256'))
    )
    op.create_table('entity_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('color', sa.String(length=9), nullable=False),
    sa.Column('hotkey', sa.String(length=20), nullable=True),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entity_types')),
    sa.UniqueConstraint('name', name=op.f('uq_entity_types_name'))
    )
    op.create_table('event_types',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('color', sa.String(length=9), nullable=False),
    sa.Column('hotkey', sa.String(length=20), nullable=True),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_types')),
    sa.UniqueConstraint('name', name=op.f('uq_event_types_name'))
    )
    op.create_table('document_code_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('code_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['code_id'], ['document_codes.id'], name=op.f('fk_document_code_values_code_id_document_codes')),
    sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_document_code_values_coder_id_coders')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_code_values_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_code_values')),
    sa.UniqueConstraint('document_id', 'coder_id', 'code_id', name=op.f('uq_document_code_values_document_id_coder_id_code_id'))
    )
    op.create_table('document_status',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('in_progress', 'done')", name=op.f('ck_document_status_status')),
    sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_document_status_coder_id_coders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_status_document_id_documents'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_status')),
    sa.UniqueConstraint('document_id', 'coder_id', name=op.f('uq_document_status_document_id_coder_id'))
    )
    op.create_table('event_roles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_type_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('repeatable', sa.Boolean(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['event_type_id'], ['event_types.id'], name=op.f('fk_event_roles_event_type_id_event_types'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_roles')),
    sa.UniqueConstraint('event_type_id', 'name', name=op.f('uq_event_roles_event_type_id_name'))
    )
    op.create_table('events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('event_type_id', sa.Integer(), nullable=False),
    sa.Column('trigger_start', sa.Integer(), nullable=True),
    sa.Column('trigger_end', sa.Integer(), nullable=True),
    sa.Column('trigger_text', sa.Text(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('(trigger_start IS NULL AND trigger_end IS NULL) OR (trigger_start >= 0 AND trigger_end > trigger_start)', name=op.f('ck_events_trigger_span')),
    sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_events_coder_id_coders')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_events_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_type_id'], ['event_types.id'], name=op.f('fk_events_event_type_id_event_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_events'))
    )
    op.create_table('mentions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('coder_id', sa.Integer(), nullable=False),
    sa.Column('entity_type_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('start >= 0 AND "end" > start', name=op.f('ck_mentions_span')),
    sa.ForeignKeyConstraint(['coder_id'], ['coders.id'], name=op.f('fk_mentions_coder_id_coders')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_mentions_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entity_type_id'], ['entity_types.id'], name=op.f('fk_mentions_entity_type_id_entity_types')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentions'))
    )
    op.create_table('event_arguments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_arguments_event_id_events'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_event_arguments_mention_id_mentions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['event_roles.id'], name=op.f('fk_event_arguments_role_id_event_roles')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_arguments')),
    sa.UniqueConstraint('event_id', 'role_id', 'mention_id', name=op.f('uq_event_arguments_event_id_role_id_mention_id'))
    )
    op.create_table('event_attribute_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('attribute_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attribute_id'], ['attributes.id'], name=op.f('fk_event_attribute_values_attribute_id_attributes')),
    sa.ForeignKeyConstraint(['event_id'], ['events.id'], name=op.f('fk_event_attribute_values_event_id_events'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_event_attribute_values')),
    sa.UniqueConstraint('event_id', 'attribute_id', name=op.f('uq_event_attribute_values_event_id_attribute_id'))
    )
    op.create_table('mention_attribute_values',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('mention_id', sa.Integer(), nullable=False),
    sa.Column('attribute_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('modified_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['attribute_id'], ['attributes.id'], name=op.f('fk_mention_attribute_values_attribute_id_attributes')),
    sa.ForeignKeyConstraint(['mention_id'], ['mentions.id'], name=op.f('fk_mention_attribute_values_mention_id_mentions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mention_attribute_values')),
    sa.UniqueConstraint('mention_id', 'attribute_id', name=op.f('uq_mention_attribute_values_mention_id_attribute_id'))
    )
    op.create_table('role_accepts',
    sa.Column('role_id', sa.Integer(), nullable=False),
    sa.Column('entity_type_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['entity_type_id'], ['entity_types.id'], name=op.f('fk_role_accepts_entity_type_id_entity_types'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['role_id'], ['event_roles.id'], name=op.f('fk_role_accepts_role_id_event_roles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('role_id', 'entity_type_id', name=op.f('pk_role_accepts'))
    )


def downgrade() -> None:
    op.drop_table('role_accepts')
    op.drop_table('mention_attribute_values')
    op.drop_table('event_attribute_values')
    op.drop_table('event_arguments')
    op.drop_table('mentions')
    op.drop_table('events')
    op.drop_table('event_roles')
    op.drop_table('document_status')
    op.drop_table('document_code_values')
    op.drop_table('event_types')
    op.drop_table('entity_types')
    op.drop_table('documents')
    op.drop_table('document_codes')
    op.drop_table('coders')
    op.drop_table('attributes')
