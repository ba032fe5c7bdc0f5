"""Benchmark-only comparison targets for ``kallelse load bench``: the spyne AddMessage app
and the group-commit writer (measured and rejected: docs/performance.md, "Decisions").
Kept out of the installed package (not in ``packages.find``): they exist to be measured
against, from a checkout of the repository, never to serve."""
