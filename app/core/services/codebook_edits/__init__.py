"""Editing the codebook in the app: undoable history actions and the entry points the editor calls.

They sit above the codebook layer (they are `Action`s of `app.core.services.history`); the
rows, their diff, the checks and the usage counts they build on are in `app.core.codebook`.
"""
