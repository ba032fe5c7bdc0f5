"""The one error type for bad input that names its field.

Citizens, bookings, routing files, behaviour rules and rule profiles all answer bad input
the same way (400 JSON ``{"error", "field"}`` over HTTP, or the place in a file), so they
share this class; subclasses only say where the input came from."""

from __future__ import annotations


class FieldError(ValueError):
    """Bad input for one field; ``field`` is a dotted path such as ``account.mobile`` or
    ``routes[1].contract``."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
