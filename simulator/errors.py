"""The one error type for input that is refused, naming its field.

Citizens, bookings, routing files, behaviour rules, rule profiles and the JSON API all
answer bad input the same way (JSON ``{"error", "field"}`` over HTTP, or the place in a
file), so they share this class; ``status`` is the HTTP answer it becomes and subclasses
only say which. Pure Python: domain code raises it without knowing about HTTP."""

from __future__ import annotations


class FieldError(ValueError):
    """Bad input for one field; ``field`` is a dotted path such as ``account.mobile`` or
    ``routes[1].contract`` (``body`` for the whole request)."""

    status = 400

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message

    def within(self, place: str) -> FieldError:
        """The same error for an item of a list (``letters[3]``): the item's field under the
        item's place, and a complaint about the whole item named by the place alone."""
        return FieldError(place if self.field == "body" else f"{place}.{self.field}", self.message)


class NotFound(FieldError):
    """The thing the field names does not exist."""

    status = 404


class Conflict(FieldError):
    """The thing exists already (or is in a state that forbids the change)."""

    status = 409


class Unauthorized(FieldError):
    """No valid credentials (shared mode): the field is the credential that is missing."""

    status = 401


class Forbidden(FieldError):
    """Valid credentials, but this role may not do this (or the request came from another origin)."""

    status = 403
