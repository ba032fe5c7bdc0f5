"""index.html: readable by a non-developer, prints well, ends with the certificate
summary, the signed certificate and the command that verifies it. Rendered with Jinja2
autoescaping: every value (SOAP bodies included) is text."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from conformance.catalog import FAMILIES, SOURCES

TEMPLATES = Path(__file__).resolve().parent
STATUS_WORDS = {
    "pass": "Godkänd / Passed",
    "fail": "Underkänd / Failed",
    "not_applicable": "Ej tillämplig / N/A",
    "error": "Fel i körningen / Error",
}


def render(data: dict, signed: dict | None = None, verify_command: str = "") -> str:
    environment = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    template = environment.get_template("report.html")
    families: dict[str, list] = {}
    for rule in data["rules"]:
        families.setdefault(FAMILIES.get(rule["rule_id"].split("-")[0], "Rules"), []).append(rule)
    return template.render(
        data=data, families=families, words=STATUS_WORDS, sources=SOURCES, signed=signed, verify_command=verify_command
    )
