"""Certification from a browser: a vendor or trainer starts a conformance run against an
adapter URL, watches it advance rule by rule, and downloads the HTML report and the signed
certificate. The suite runs as its own process (``python -m simulator.cli conformance
run … --json-progress``), never inside a web worker; the pages only read the files it
writes under ``<data dir>/certification/<run id>/``."""
