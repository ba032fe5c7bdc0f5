"""The service contracts the simulator serves and validates against.

The XSD and WSDL files below this folder are the single source of truth for the wire
format; ``contracts.bundle`` loads them (from here or from a directory a user points at
with ``--contracts``) into :class:`~contracts.bundle.Contract` objects.
"""

from pathlib import Path

BUILTIN_DIR = Path(__file__).resolve().parent
