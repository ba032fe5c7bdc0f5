"""RIVTA Basic Profile 2.1 transport: SOAP 1.1 envelopes over HTTP POST, validated
against the contract schemas with lxml, answered with contract-shaped faults.

Deliberately a thin layer over raw lxml (see docs/architecture.md for the measurements
that ruled out spyne on the request path)."""
