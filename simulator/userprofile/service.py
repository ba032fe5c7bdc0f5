"""Wiring of the userprofile producers into the application (filled in by the userprofile work)."""
from simulator.soap.service import ServiceSpec

SERVICE = ServiceSpec(prefix="userprofile", producers=lambda runtime: {})
