"""The one error type a user sees: its message is shown as is (CLI line, GUI dialog)."""


class AnnotaryError(Exception):
    """A problem the user can understand and act on."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ProjectError(AnnotaryError):
    """The project file cannot be opened as asked."""


class ImportRejected(AnnotaryError):
    """A file cannot be imported; nothing of it was stored."""


class AnnotationInputError(AnnotaryError):
    """Annotation input (brat, doccano) is invalid; names file and line."""

    def __init__(self, path: str, line: int | None, reason: str) -> None:
        where = f"{path}:{line}" if line is not None else str(path)
        super().__init__(f"{where}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


class CodebookError(AnnotaryError):
    """The codebook is invalid or a change to it is refused."""
