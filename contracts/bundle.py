"""Load RIVTA contract bundles (WSDL + XSD files) into Contract objects.

A bundle is any folder tree holding ``*Interaction*.wsdl`` files next to their responder
XSDs, laid out as the official service-contract archives are (``schemas/interactions/X``
and ``schemas/core_components``). Everything the transport needs — SOAPAction, the
request and response element names, the schema to validate with — is read from the
files, never restated in code.

Official MVK bundles carry a known defect: their ``SubjectOfCareIdType`` pattern is
written ``^...$``, and in XML Schema those two characters are literals, so a conformant
validator rejects every real personnummer. :func:`correct_schema_text` strips such
anchors while loading and logs that it did (see docs/contracts.md).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from functools import cached_property
from pathlib import Path

from lxml import etree

from contracts import BUILTIN_DIR

log = logging.getLogger(__name__)

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
SOAP_BINDING_NS = "http://schemas.xmlsoap.org/wsdl/soap/"
XSD_NS = "http://www.w3.org/2001/XMLSchema"
NS = {"wsdl": WSDL_NS, "soap": SOAP_BINDING_NS, "xs": XSD_NS}

_CORRECTED: set[str] = set()
_ANCHORED_PATTERN = re.compile(r'(<(?:\w+:)?pattern\s+value=")\^([^"]*)\$(")')


def secure_parser() -> etree.XMLParser:
    """A parser that never fetches anything or expands entities (no XXE)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def correct_schema_text(text: str, source: str = "") -> str:
    """Remove the literal ``^``/``$`` around XSD patterns (the official MVK defect)."""
    corrected, count = _ANCHORED_PATTERN.subn(r"\1\2\3", text)
    if count and source not in _CORRECTED:
        _CORRECTED.add(source)
        log.warning(
            "contract %s: removed literal ^...$ anchors from %d xs:pattern value(s); "
            "XML Schema patterns are implicitly anchored (see docs/contracts.md)",
            source,
            count,
        )
    return corrected


class _CorrectingResolver(etree.Resolver):
    """Serves every local XSD through :func:`correct_schema_text` while lxml follows
    ``xs:import`` chains, so official files are usable without being edited on disk."""

    def resolve(self, url, pubid, context):
        path = Path(url.removeprefix("file://"))
        if path.suffix == ".xsd" and path.is_file():
            return self.resolve_string(
                correct_schema_text(path.read_text("utf-8"), str(path)), context, base_url=str(path)
            )
        return None


def load_schema(xsd_path: Path) -> etree.XMLSchema:
    parser = secure_parser()
    parser.resolvers.add(_CorrectingResolver())
    text = correct_schema_text(xsd_path.read_text("utf-8"), str(xsd_path))
    doc = etree.fromstring(text.encode("utf-8"), parser, base_url=str(xsd_path))
    return etree.XMLSchema(doc)


@dataclasses.dataclass(frozen=True)
class Contract:
    """One RIVTA service interaction as its WSDL defines it."""

    interaction: str  # e.g. "AddMessage"
    major_version: str  # e.g. "2"
    wsdl_path: Path
    root: Path  # bundle root, for serving the files over HTTP
    wsdl_namespace: str
    soap_action: str
    request_element: str  # Clark notation {ns}name
    response_element: str
    responder_xsd: Path
    declares_logical_address_header: bool

    @property
    def responder_namespace(self) -> str:
        return self.request_element[1:].split("}")[0]

    @cached_property
    def core_namespace(self) -> str:
        """The domain namespace the responder XSD imports (where e.g. MessageCaseType
        lives): read once from the file, since producers need it on every call."""
        xsd = etree.parse(str(self.responder_xsd), secure_parser()).getroot()
        imported = [i.get("namespace") for i in xsd.findall("xs:import", NS)]
        domain = [ns for ns in imported if ns != "urn:riv:itintegration:registry:1"]
        return (domain or imported)[0]

    @cached_property
    def schema(self) -> etree.XMLSchema:
        return load_schema(self.responder_xsd)

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(self.root.resolve()).as_posix()


def _qname(element: etree._Element, prefixed: str) -> str:
    prefix, _, local = prefixed.rpartition(":")
    return f"{{{element.nsmap[prefix or None]}}}{local}"


def read_wsdl(wsdl_path: Path, root: Path) -> Contract:
    doc = etree.parse(str(wsdl_path), secure_parser()).getroot()
    tns = doc.get("targetNamespace")
    operation = doc.find("wsdl:portType/wsdl:operation", NS)
    name = operation.get("name")
    messages = {m.get("name"): m for m in doc.findall("wsdl:message", NS)}

    binding_op = doc.find(f"wsdl:binding/wsdl:operation[@name='{name}']", NS)

    def part_element(io: str) -> str:
        """The body part: the one ``soap:body parts=`` names, else the first part that
        no ``soap:header`` claims (RIVTA WSDLs list the LogicalAddress part first)."""
        message_ref = operation.find(f"wsdl:{io}", NS).get("message").rpartition(":")[2]
        parts = messages[message_ref].findall("wsdl:part", NS)
        body = binding_op.find(f"wsdl:{io}/soap:body", NS) if binding_op is not None else None
        named = (body.get("parts") or "").split() if body is not None else []
        headers = (
            {h.get("part") for h in binding_op.findall(f"wsdl:{io}/soap:header", NS)}
            if binding_op is not None
            else set()
        )
        chosen = (
            [p for p in parts if p.get("name") in named] or [p for p in parts if p.get("name") not in headers] or parts
        )
        return _qname(doc, chosen[0].get("element"))

    soap_op = binding_op.find("soap:operation", NS)
    request = part_element("input")
    responder_ns = request[1:].split("}")[0]
    imports = doc.findall("wsdl:types/xs:schema/xs:import", NS)
    xsd = next(i.get("schemaLocation") for i in imports if i.get("namespace") == responder_ns)
    major = tns.split(":")[-2] if tns.endswith(":rivtabp21") else "1"
    return Contract(
        interaction=name,
        major_version=major,
        wsdl_path=wsdl_path,
        root=root,
        wsdl_namespace=tns,
        soap_action=soap_op.get("soapAction"),
        request_element=request,
        response_element=part_element("output"),
        responder_xsd=(wsdl_path.parent / xsd).resolve(),
        declares_logical_address_header=doc.find(".//soap:header", NS) is not None,
    )


class ContractBundle:
    """All contracts found in one or more folders; the first folder wins for an
    interaction it defines, so ``--contracts OFFICIAL`` overrides the built-in MVK
    contracts while the built-in PU and status contracts still fill the gaps."""

    def __init__(self, *dirs: Path):
        self.dirs = [Path(d).resolve() for d in dirs] or [BUILTIN_DIR]
        self.contracts: dict[str, Contract] = {}
        for folder in self.dirs:
            for wsdl in sorted(folder.rglob("*.wsdl")):
                contract = read_wsdl(wsdl, folder)
                self.contracts.setdefault(contract.interaction, contract)

    def __getitem__(self, interaction: str) -> Contract:
        try:
            return self.contracts[interaction]
        except KeyError:
            raise KeyError(f"no contract for interaction {interaction!r} in {self.dirs}") from None

    def file(self, relative: str) -> Path | None:
        """A bundle file by its path relative to a bundle root, for serving over HTTP;
        never anything outside the bundle folders."""
        for folder in self.dirs:
            candidate = (folder / relative).resolve()
            if candidate.is_file() and candidate.is_relative_to(folder) and candidate.suffix in (".xsd", ".wsdl"):
                return candidate
        return None


def builtin_bundle(official: Path | None = None) -> ContractBundle:
    return ContractBundle(*([official] if official else []), BUILTIN_DIR)
