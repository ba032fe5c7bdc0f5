"""Application factory: one WSGI callable for the whole simulator.

SOAP endpoints are plain WSGI callables reached by exact path (the hot path never enters
Flask); everything else (control API, citizen pages, contract files) is a Flask app with
blueprints."""

from __future__ import annotations

import importlib
import logging

from flask import Flask, abort, jsonify

from simulator import control, schema
from simulator.citizen.readstatus import SERVICE as READ_STATUS
from simulator.config import Config
from simulator.control.errors import register_error_handlers
from simulator.inbox.service import SERVICE as INBOX
from simulator.pu.service import SERVICE as PU
from simulator.runtime import Runtime
from simulator.soap.endpoint import SoapEndpoint
from simulator.soap.wsdl import serve_schema_file
from simulator.userprofile.service import SERVICE as USERPROFILE

log = logging.getLogger(__name__)

SERVICES = (INBOX, USERPROFILE, PU, READ_STATUS)

# Parts that plug into a running simulator; each module has
# ``install(runtime, web, endpoints)`` and registers blueprints, interceptors and hooks.
PARTS = (
    "simulator.platform.wiring",
    "simulator.citizen.wiring",
)


class Router:
    """Exact-path dispatch to SOAP endpoints, everything else to Flask."""

    def __init__(self, runtime: Runtime, endpoints: dict[str, SoapEndpoint], web: Flask):
        self.runtime = runtime
        self.endpoints = endpoints
        self.web = web

    def __call__(self, environ, start_response):
        endpoint = self.endpoints.get(environ.get("PATH_INFO", ""))
        if endpoint is not None:
            return endpoint(environ, start_response)
        return self.web(environ, start_response)


def soap_endpoints(runtime: Runtime) -> dict[str, SoapEndpoint]:
    endpoints = {}
    for service in SERVICES:
        for interaction, producer in service.producers(runtime).items():
            contract = runtime.contracts[interaction]
            path = soap_path(service.prefix, contract)
            endpoints[path] = SoapEndpoint(path, contract, producer, runtime.interceptors)
    return endpoints


def soap_path(prefix: str, contract) -> str:
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


def create_web(runtime: Runtime, endpoints: dict[str, SoapEndpoint]) -> Flask:
    web = Flask("simulator", static_folder=None)
    web.config["RUNTIME"] = runtime
    web.config["SOAP_ENDPOINTS"] = endpoints

    @web.get("/contracts/<path:relative>")
    def contract_file(relative: str):
        path = runtime.contracts.file(relative)
        if path is None:
            abort(404)
        return serve_schema_file(path), 200, {"Content-Type": "text/xml; charset=utf-8"}

    @web.get("/api/health")
    def health():
        return jsonify(status="ok", clock=runtime.clock.now().isoformat(), endpoints=sorted(endpoints))

    register_error_handlers(web)
    for blueprint in control.blueprints(runtime):
        web.register_blueprint(blueprint)
    return web


def create_app(config: Config | None = None, migrate: bool = True):
    config = config or Config.from_env()
    runtime = Runtime.build(config)
    if migrate:
        schema.upgrade(runtime.db)
    endpoints = soap_endpoints(runtime)
    web = create_web(runtime, endpoints)
    for part in PARTS + tuple(config.extra.get("parts", ())):  # e.g. the dispatch core, given by the CLI
        importlib.import_module(part).install(runtime, web, endpoints)
    app = Router(runtime, endpoints, web)
    for wrap in runtime.wsgi_wrappers:
        app = wrap(app)
    return app
