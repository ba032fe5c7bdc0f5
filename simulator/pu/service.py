"""Wiring of the pu producers into the application (filled in by the pu work)."""
from simulator.soap.service import ServiceSpec

SERVICE = ServiceSpec(prefix="pu", producers=lambda runtime: {})
