"""Edit → Codebook…: a non-modal editor of the project's codebook; every change is one undo entry."""

from app.ui.codebook_editor.dialog import CodebookEditor

__all__ = ["CodebookEditor"]
