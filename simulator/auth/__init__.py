"""Shared mode (``kallelse serve --shared``): API tokens with roles, so one test bed can
serve many vendors and their CI pipelines without one seeing or erasing another's work.

``tokens.py`` the roles and what each may do (pure), ``store.py`` the hashed tokens,
``access.py`` the check in front of every request, ``cli.py`` ``kallelse tokens``.
The embedded single-user default needs none of it."""
