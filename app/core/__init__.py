"""Qt-free core of Annotary: domain, storage, import/export, services."""
