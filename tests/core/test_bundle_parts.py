"""RIVTA WSDLs list the LogicalAddress header part before the body part; the loader must
still find the request element, or an official PU bundle would be misread."""

import re
import shutil

from contracts import BUILTIN_DIR
from contracts.bundle import ContractBundle


def test_header_part_listed_first_is_not_taken_for_the_body(tmp_path):
    shutil.copytree(BUILTIN_DIR / "TD_PERSONS_5_0", tmp_path / "TD_PERSONS_5_0")
    wsdl = next((tmp_path / "TD_PERSONS_5_0").rglob("*.wsdl"))
    text = wsdl.read_text()
    message = re.search(r'(<wsdl:message name="GetPersonsForProfileRequest">)(.*?)(</wsdl:message>)', text, re.S)
    parts = re.findall(r"<wsdl:part[^>]*/>|<wsdl:part[^>]*[^/]>.*?</wsdl:part>", message.group(2), re.S)
    assert len(parts) == 2
    reordered = message.group(1) + "\n".join(sorted(parts, key=lambda p: "LogicalAddress" not in p)) + message.group(3)
    wsdl.write_text(text.replace(message.group(0), reordered))
    assert re.search(r'<wsdl:part name="[^"]*" element="[^"]*LogicalAddress"', wsdl.read_text())

    contract = ContractBundle(tmp_path)["GetPersonsForProfile"]
    assert contract.request_element.endswith("}GetPersonsForProfile")
    assert contract.declares_logical_address_header
