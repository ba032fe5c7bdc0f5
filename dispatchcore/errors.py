"""Bad input that names its field: 400 ``{"error", "field"}`` on the dispatch core's JSON
APIs, the place in the file for a profile (the error shape every API of the test bed uses)."""

from __future__ import annotations


class FieldError(ValueError):
    """Bad input for one field; ``field`` is a dotted path such as ``facility.hsa_id``."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
