"""The one domain error. Services raise it; views show its message, the API maps it to 400."""


class DomainError(Exception):
    def __init__(self, message, *, code: str = "invalid", status: int = 400, details: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.code = code
        self.status = status
        self.details = details or {}


class PermissionDeniedError(DomainError):
    def __init__(self, message, *, code: str = "forbidden", details: dict | None = None):
        super().__init__(message, code=code, status=403, details=details)


class TransitionError(DomainError):
    """A workflow was asked for a transition its table does not allow."""

    def __init__(self, message, *, details: dict | None = None):
        super().__init__(message, code="invalid_transition", status=409, details=details)
