"""Application factory: the Flask app of the whole simulator.

SOAP endpoints are plain WSGI callables reached by exact path through :class:`SoapRouter`,
WSGI middleware in front of Flask's own ``wsgi_app`` (the hot path never enters Flask's
routing); everything else (control API, citizen pages, contract files) is Flask
blueprints. Because the returned object is the Flask app, ``app.test_client()`` reaches
the SOAP endpoints too, and gunicorn serves it as it is."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable
from types import SimpleNamespace

from flask import Flask, abort

from contracts.bundle import Contract, ContractBundle
from simulator import control, schema
from simulator.certification import wiring as certification_wiring
from simulator.citizen import wiring as citizen_wiring
from simulator.citizen.readstatus import SERVICE as READ_STATUS
from simulator.config import Config
from simulator.control.errors import register_error_handlers
from simulator.inbox.service import SERVICE as INBOX
from simulator.platform import wiring as platform_wiring
from simulator.pu.service import SERVICE as PU
from simulator.runtime import Runtime
from simulator.sessions import CheapSessions
from simulator.soap.endpoint import SoapEndpoint
from simulator.soap.wsdl import serve_schema_file
from simulator.userprofile.service import SERVICE as USERPROFILE

log = logging.getLogger(__name__)

SERVICES = (INBOX, USERPROFILE, PU, READ_STATUS)

# Parts that plug into a running simulator, in this order: each ``install(runtime, web,
# endpoints)`` registers blueprints, interceptors and hooks. Imported like any module, so a
# broken part fails at start with its own traceback.
PARTS: tuple[Callable[[Runtime, Flask, dict[str, SoapEndpoint]], None], ...] = (
    platform_wiring.install,
    citizen_wiring.install,
    certification_wiring.install,
)


class SoapRouter:
    """WSGI middleware: an exact SOAP endpoint path goes to its endpoint, anything else to
    the wrapped application (Flask's ``wsgi_app``)."""

    def __init__(self, endpoints: dict[str, SoapEndpoint], app: Callable):
        self.endpoints = endpoints
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        endpoint = self.endpoints.get(environ.get("PATH_INFO", ""))
        if endpoint is not None:
            return endpoint(environ, start_response)
        return self.app(environ, start_response)


def soap_endpoints(runtime: Runtime) -> dict[str, SoapEndpoint]:
    endpoints = {}
    for service in SERVICES:
        for interaction, producer in service.producers(runtime).items():
            contract = runtime.contracts[interaction]
            path = soap_path(service.prefix, contract)
            endpoints[path] = SoapEndpoint(path, contract, producer, runtime.interceptors)
    return endpoints


def soap_path(prefix: str, contract: Contract) -> str:
    """``/inbox/AddMessage/2/rivtabp21``: service prefix, interaction, major version."""
    return f"/{prefix}/{contract.interaction}/{contract.major_version}/rivtabp21"


def served_paths(runtime: Runtime) -> list[str]:
    """What ``kallelse serve`` announces: every SOAP endpoint and the entry pages."""
    soap = [
        soap_path(service.prefix, runtime.contracts[interaction])
        for service in SERVICES
        for interaction in service.producers(runtime)
    ]
    return soap + ["/", "/inkorg/logga-in", "/dispatch/", "/api/health", "/api/openapi.json"]


def endpoint_paths(bundle: ContractBundle) -> dict[str, str]:
    """``{interaction: endpoint path}`` the services would serve from ``bundle``, without a
    database: a producer is only built here (stores connect on first use), never called."""
    offline = SimpleNamespace(contracts=bundle, db=None, citizens=None, clock=None, message_listeners=[])
    return {
        interaction: soap_path(service.prefix, bundle[interaction])
        for service in SERVICES
        for interaction in service.producers(offline)
    }


def create_web(runtime: Runtime, endpoints: dict[str, SoapEndpoint]) -> Flask:
    web = Flask("simulator", static_folder=None)
    web.session_interface = CheapSessions()
    web.config["RUNTIME"] = runtime
    web.config["SOAP_ENDPOINTS"] = endpoints

    @web.get("/contracts/<path:relative>")
    def contract_file(relative: str):
        path = runtime.contracts.file(relative)
        if path is None:
            abort(404)
        return serve_schema_file(path), 200, {"Content-Type": "text/xml; charset=utf-8"}

    register_error_handlers(web)
    for blueprint in control.blueprints(runtime):
        web.register_blueprint(blueprint)
    return web


def create_app(config: Config | None = None, migrate: bool = True) -> Flask:
    """The Flask app with the SOAP router (and the parts' WSGI wrappers, outermost last)
    in front of its ``wsgi_app``; ``app.config["RUNTIME"]`` is the built runtime."""
    config = config or Config.from_env()
    runtime = Runtime.build(config)
    if migrate:
        schema.upgrade(runtime.db)
    endpoints = soap_endpoints(runtime)
    web = create_web(runtime, endpoints)
    # Parts the CLI names (the dispatch core beside the simulator): loaded by name because the
    # simulator must never import the care system it serves.
    named = tuple(importlib.import_module(name).install for name in config.extra.get("parts", ()))
    for install in PARTS + named:
        install(runtime, web, endpoints)
    wsgi: Callable = SoapRouter(endpoints, web.wsgi_app)
    for wrap in runtime.wsgi_wrappers:
        wsgi = wrap(wsgi)
    web.wsgi_app = wsgi  # type: ignore[method-assign]  # Flask's documented middleware hook
    return web
