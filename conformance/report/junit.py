"""JUnit XML: one <testcase> per rule (classname = rule family), failures with expected vs
seen, evidence in <system-out>; what CI systems show as test results."""

from __future__ import annotations

from lxml import etree

from conformance.catalog import FAMILIES


def render(data: dict) -> bytes:
    summary = data["summary"]
    suite = etree.Element(
        "testsuite",
        name=f"kallelse-conformance-{data['certificate']['profile']}",
        tests=str(summary["total"]),
        failures=str(summary["fail"]),
        errors=str(summary["error"]),
        skipped=str(summary["not_applicable"]),
        time=str(data["seconds"]),
    )
    properties = etree.SubElement(suite, "properties")
    for key, value in data["certificate"].items():
        etree.SubElement(properties, "property", name=key, value=str(value))
    for rule in data["rules"]:
        family = FAMILIES.get(rule["rule_id"].split("-")[0], "Rules")
        case = etree.SubElement(
            suite,
            "testcase",
            classname=f"conformance.{family.replace(' ', '')}",
            name=f"{rule['rule_id']} {rule['title']}",
            time=str(rule["seconds"]),
        )
        failed = [f for f in rule["findings"] if not f["ok"]]
        if rule["status"] == "fail":
            element = etree.SubElement(case, "failure", message=rule["summary"], type="RuleViolated")
            element.text = "\n".join(f"expected: {f['expected']}\nseen:     {f['seen']}" for f in failed)
        elif rule["status"] == "error":
            etree.SubElement(case, "error", message=rule["summary"], type="ScenarioError").text = rule["summary"]
        elif rule["status"] == "not_applicable":
            etree.SubElement(case, "skipped", message=rule["summary"])
        out = [f"{rule['rule_id']} ({rule['source']}): {rule['status']} - {rule['summary']}"]
        out += [f"[{'ok' if f['ok'] else 'FAIL'}] expected {f['expected']}; seen {f['seen']}" for f in rule["findings"]]
        out += [f"--- {e['title']}{' @ ' + e['at'] if e['at'] else ''}\n{e['content']}" for e in rule["evidence"]]
        etree.SubElement(case, "system-out").text = _xml_safe("\n".join(out))
    return etree.tostring(suite, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot carry (a vendor's body may hold any)."""
    return "".join(c for c in text if c in "\t\n\r" or ord(c) >= 0x20 and ord(c) not in (0xFFFE, 0xFFFF))
