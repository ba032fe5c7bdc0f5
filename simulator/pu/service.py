"""Wiring of the PU-tjänsten producer into the application:
``/pu/GetPersonsForProfile/5/rivtabp21``."""

from simulator.pu import soap
from simulator.soap.service import ServiceSpec

SERVICE = ServiceSpec(prefix="pu", producers=lambda runtime: {"GetPersonsForProfile": soap.producer(runtime)})
