"""Wiring of the inbox producers into the application (filled in by the inbox work)."""
from simulator.soap.service import ServiceSpec

SERVICE = ServiceSpec(prefix="inbox", producers=lambda runtime: {})
