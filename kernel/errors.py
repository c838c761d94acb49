"""One error for input Booth refuses: what went wrong, for a person to act on.

Every refusal that reaches a visitor, an operator or an integration's developers (a photo
Booth cannot use, a shot the sensor misreported, a clip that is not a video, a consent text
that changed) is a `Rejected`: a machine-readable `code`, a `message` a person can act on,
and the HTTP `status` it is answered with. The API's exception handler (kernel.api) turns
any of them into the same JSON shape, so a new kind of refusal needs no change there.
"""


class Rejected(ValueError):
    """Input Booth will not accept; `message` says what to do instead."""

    code: str = "rejected"
    status: int = 400

    def __init__(self, code: str | None = None, message: str = "", status: int | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code
        self.message = message
        if status is not None:
            self.status = status

    def __str__(self) -> str:
        return str(self.message)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, message={self.message!r})"

    def __eq__(self, other: object) -> bool:
        return (
            type(other) is type(self)
            and (self.code, self.message, self.status) == (other.code, other.message, other.status)  # type: ignore[attr-defined]
        )

    __hash__ = ValueError.__hash__
