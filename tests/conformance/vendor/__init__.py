"""An independent example vendor: a deliberately simple kallelse system written from the
rule catalog (guideline-rules.md) and the adapter protocol (conformance/adapter-openapi.yaml)
alone. It shares no code with the reference dispatch core; it reaches PU, 1177 and the
paper outbox over HTTP/SOAP through the simulator like any vendor. Switches turn on one
deliberate defect or one legitimate design variant at a time (switches.py)."""
