"""Comparable descriptions of what an XSD or WSDL file declares.

Two contract files are wire-identical when these descriptions are equal: the same global
elements and types, the same particles in the same order with the same occurrence
bounds, the same facets (enumerations, patterns, ...), base types, attributes and
wildcards; for a WSDL the same messages, parts, port types, bindings, SOAPActions and
services. Each description is a flat ``{key: {property: value}}`` mapping so a difference
can be reported as "this property of this component". Prefixes, formatting and
documentation are not part of it: they do not travel on the wire.

XSD files are read through :mod:`xmlschema`'s component model, WSDL files with lxml
(QNames are resolved to Clark notation so prefix choice does not matter).
"""

from __future__ import annotations

from pathlib import Path

import xmlschema
from lxml import etree
from xmlschema.validators import XsdAnyElement, XsdElement, XsdGroup

from contracts.bundle import NS, SOAP_BINDING_NS, XSD_NS, secure_parser

Description = dict[str, dict[str, object]]


def load_xsd(path: Path) -> xmlschema.XMLSchema10:
    """The xmlschema model of one XSD, following its imports on the local disk only."""
    return xmlschema.XMLSchema10(str(path), allow="local")


# --- XSD ---------------------------------------------------------------------------


def describe_xsd(path: Path) -> Description:
    """The components ``path`` itself declares (its target namespace), not its imports."""
    schema = load_xsd(path)
    tns = schema.target_namespace
    out: Description = {"schema": _schema_header(path, schema)}
    maps = schema.maps
    for kind, table in (
        ("element", maps.elements),
        ("type", maps.types),
        ("group", maps.groups),
        ("attribute", maps.attributes),
        ("attributeGroup", maps.attribute_groups),
    ):
        for qname, component in table.items():
            if _namespace(qname) == tns:
                _describe_global(out, f"{kind} {qname}", kind, component)
    return out


def _schema_header(path: Path, schema) -> dict:
    root = etree.parse(str(path), secure_parser()).getroot()
    imports = sorted(
        (i.get("namespace") or "", i.get("schemaLocation") or "") for i in root.findall(f"{{{XSD_NS}}}import")
    )
    includes = sorted(i.get("schemaLocation") or "" for i in root.findall(f"{{{XSD_NS}}}include"))
    return {
        "targetNamespace": schema.target_namespace,
        "elementFormDefault": schema.element_form_default,
        "attributeFormDefault": schema.attribute_form_default,
        "version": root.get("version"),
        "blockDefault": root.get("blockDefault"),
        "finalDefault": root.get("finalDefault"),
        "imports": imports,
        "includes": includes,
    }


def _namespace(qname: str) -> str:
    return qname[1:].split("}")[0] if qname.startswith("{") else ""


def _describe_global(out: Description, key: str, kind: str, component) -> None:
    if kind == "element":
        _describe_element(out, key, component)
    elif kind == "type":
        _describe_type(out, key, component)
    elif kind == "group":
        _describe_group(out, key, component)
    elif kind == "attribute":
        out[key] = {"type": component.type.name, "default": component.default, "fixed": component.fixed}
    else:
        out[key] = {"attributes": _attributes(component)}


def _type_ref(out: Description, key: str, xsd_type) -> str:
    """Named types are referenced by name; anonymous ones are described in place."""
    if xsd_type.name:
        return xsd_type.name
    _describe_type(out, f"{key}/type", xsd_type)
    return "(anonymous)"


def _occurs(particle) -> dict:
    return {
        "minOccurs": particle.min_occurs,
        "maxOccurs": "unbounded" if particle.max_occurs is None else particle.max_occurs,
    }


def _describe_element(out: Description, key: str, element: XsdElement, particle: bool = False) -> None:
    props = {
        "name": element.name,
        "ref": bool(element.ref),
        "nillable": element.nillable,
        "abstract": element.abstract,
        "default": element.default,
        "fixed": element.fixed,
        "substitutionGroup": element.substitution_group,
        "qualified": element.qualified,
        "block": element.block,
        "final": element.final,
    }
    if particle:
        props.update(_occurs(element))
    props["type"] = _type_ref(out, key, element.type)
    out[key] = props


def _describe_type(out: Description, key: str, xsd_type) -> None:
    if xsd_type.is_simple():
        out[key] = _simple_props(xsd_type)
        return
    props = {
        "kind": "complexType",
        "abstract": xsd_type.abstract,
        "mixed": xsd_type.mixed,
        "derivation": xsd_type.derivation,
        "block": xsd_type.block,
        "final": xsd_type.final,
        "base": xsd_type.base_type.name if xsd_type.base_type is not None else None,
    }
    content = xsd_type.content
    if isinstance(content, XsdGroup):
        props["content"] = "elements"
        _describe_group(out, f"{key}/{content.model}", content)
    else:
        props["content"] = "simple"
        props["simpleContent"] = _type_ref(out, key, content)
    props["attributes"] = _attributes(xsd_type.attributes)
    out[key] = props


def _simple_props(xsd_type) -> dict:
    props = {
        "kind": "simpleType",
        "variety": getattr(xsd_type, "variety", None),
        "base": xsd_type.base_type.name if getattr(xsd_type, "base_type", None) is not None else None,
        "primitive": getattr(getattr(xsd_type, "primitive_type", None), "name", None),
        "whiteSpace": xsd_type.white_space,
    }
    for qname, facet in sorted(getattr(xsd_type, "facets", {}).items(), key=lambda item: str(item[0])):
        name = str(qname).rpartition("}")[2] or "assertion"
        if name == "enumeration":
            props["enumeration"] = list(facet.enumeration)
        elif name == "pattern":
            props["pattern"] = list(facet.regexps)
        else:
            props[name] = getattr(facet, "value", repr(facet))
    return props


def _attributes(group) -> dict:
    described = {}
    for name, attribute in group.items():
        if name is None:  # the attribute wildcard
            described["(anyAttribute)"] = f"{sorted(attribute.namespace)} {attribute.process_contents}"
        else:
            described[name] = (
                f"{attribute.use} {attribute.type.name} default={attribute.default} fixed={attribute.fixed}"
            )
    return described


def _describe_group(out: Description, key: str, group: XsdGroup) -> None:
    out[key] = {"model": group.model, **_occurs(group), "particles": len(group)}
    for index, particle in enumerate(group):
        if isinstance(particle, XsdGroup):
            _describe_group(out, f"{key}[{index}] {particle.model}", particle)
        elif isinstance(particle, XsdAnyElement):
            out[f"{key}[{index}] any"] = {
                "namespace": sorted(particle.namespace),
                "processContents": particle.process_contents,
                **_occurs(particle),
            }
        else:
            _describe_element(out, f"{key}[{index}] element {particle.name}", particle, particle=True)


# --- WSDL --------------------------------------------------------------------------


def _clark(node: etree._Element, prefixed: str | None) -> str | None:
    if not prefixed:
        return prefixed
    prefix, _, local = prefixed.rpartition(":")
    return f"{{{node.nsmap.get(prefix or None, '')}}}{local}"


def describe_wsdl(path: Path) -> Description:
    """Everything a SOAP stack reads from the WSDL; documentation excluded."""
    root = etree.parse(str(path), secure_parser()).getroot()
    tns = root.get("targetNamespace")
    out: Description = {"definitions": {"name": root.get("name"), "targetNamespace": tns}}
    for index, schema in enumerate(root.findall("wsdl:types/xs:schema", NS)):
        out[f"types/schema[{index}]"] = {
            "targetNamespace": schema.get("targetNamespace"),
            "imports": sorted((i.get("namespace"), i.get("schemaLocation")) for i in schema.findall("xs:import", NS)),
        }
    for message in root.findall("wsdl:message", NS):
        out[f"message {message.get('name')}"] = {
            "parts": [
                (p.get("name"), _clark(p, p.get("element")), _clark(p, p.get("type")))
                for p in message.findall("wsdl:part", NS)
            ]
        }
    for port_type in root.findall("wsdl:portType", NS):
        key = f"portType {port_type.get('name')}"
        out[key] = {"operations": [o.get("name") for o in port_type.findall("wsdl:operation", NS)]}
        for op in port_type.findall("wsdl:operation", NS):
            out[f"{key}/operation {op.get('name')}"] = {
                io: [_clark(m, m.get("message")) for m in op.findall(f"wsdl:{io}", NS)]
                for io in ("input", "output", "fault")
            }
    for binding in root.findall("wsdl:binding", NS):
        _describe_binding(out, binding)
    for service in root.findall("wsdl:service", NS):
        for port in service.findall("wsdl:port", NS):
            address = port.find("soap:address", NS)
            out[f"service {service.get('name')}/port {port.get('name')}"] = {
                "binding": _clark(port, port.get("binding")),
                "address": address.get("location") if address is not None else None,
            }
    return out


def _describe_binding(out: Description, binding: etree._Element) -> None:
    soap_binding = binding.find("soap:binding", NS)
    key = f"binding {binding.get('name')}"
    out[key] = {
        "type": _clark(binding, binding.get("type")),
        "style": soap_binding.get("style") if soap_binding is not None else None,
        "transport": soap_binding.get("transport") if soap_binding is not None else None,
        "operations": [o.get("name") for o in binding.findall("wsdl:operation", NS)],
    }
    for op in binding.findall("wsdl:operation", NS):
        soap_op = op.find("soap:operation", NS)
        props = {
            "soapAction": soap_op.get("soapAction") if soap_op is not None else None,
            "style": soap_op.get("style") if soap_op is not None else None,
        }
        for io in ("input", "output", "fault"):
            for index, part in enumerate(op.findall(f"wsdl:{io}", NS)):
                props[f"{io}[{index}]"] = [
                    (
                        etree.QName(child).localname,
                        sorted((k, _clark(child, v) if k == "message" else v) for k, v in child.attrib.items()),
                    )
                    for child in part
                    if etree.QName(child).namespace == SOAP_BINDING_NS
                ]
        out[f"{key}/operation {op.get('name')}"] = props


def describe(path: Path) -> Description:
    return describe_wsdl(path) if path.suffix == ".wsdl" else describe_xsd(path)
