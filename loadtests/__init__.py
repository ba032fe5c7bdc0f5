"""Load and performance tooling for the simulator: the SOAP benchmark (``kallelse load
bench``), its in-process micro-benchmark, and the locust scenarios.

Everything here sends traffic to 127.0.0.1 only and stops by itself."""
