"""Plugs this part into the application (see simulator.app.PARTS)."""


def install(runtime, web, endpoints) -> None:
    """Nothing yet."""
