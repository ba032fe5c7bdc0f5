"""The routing table on its own: how a routing file is read and checked, and NTjP's
decisions (VP003, VP004, VP002, VP007) for every combination the file can express."""

from __future__ import annotations

import pytest

from simulator.platform.routing import ConfigError, Rejection, Route, default_table, parse

KNOWN = {"AddMessage", "GetUserProfile", "GetPersonsForProfile"}
NS = "urn:mvk:crm:casemanagement:inbox:AddMessageResponder:2"

FILE = """
[platform]
instance = "NTjP-TEST"
producer_timeout = 5

[[routes]]
contract = "AddMessage"
logical_addresses = ["5565594230", "SE2321000016-MVK"]

[[routes]]
contract = "GetUserProfile"
logical_address = "*"

[[authorizations]]
consumer = "SE-CARE"
contract = "AddMessage"
logical_address = "5565594230"

[[authorizations]]
consumers = ["SE-ADMIN"]
contract = "*"
logical_address = "*"

[checks.GetPersonsForProfile]
routing = false
authorization = false
"""


def table():
    return parse(FILE, KNOWN, "/tmp/routing.toml")


def test_defaults_require_the_logical_address_and_nothing_else():
    defaults = default_table()
    assert defaults.decide("AddMessage", NS, None, None) == Rejection("VP003", f"serviceNamespace: {NS}")
    assert defaults.decide("AddMessage", NS, "anything", None) is None  # built-in producer
    assert defaults.decide("AddMessage", NS, "anything", "SE-NOBODY") is None


def test_exact_routing_and_authorization_from_the_file():
    t = table()
    assert t.instance == "NTjP-TEST" and t.producer_timeout == 5.0
    assert t.decide("AddMessage", NS, "5565594230", "SE-CARE") == Route("AddMessage", "5565594230")
    vp004 = t.decide("AddMessage", NS, "5565594231", "SE-CARE")
    assert vp004.code == "VP004" and "receiverId: 5565594231" in vp004.detail
    vp007 = t.decide("AddMessage", NS, "SE2321000016-MVK", "SE-CARE")  # routed, but not authorized there
    assert vp007.code == "VP007" and "senderId: SE-CARE" in vp007.detail
    assert t.decide("AddMessage", NS, "SE2321000016-MVK", "SE-ADMIN").logical_address == "SE2321000016-MVK"
    assert t.decide("AddMessage", NS, "5565594230", None).code == "VP002"
    assert t.decide("AddMessage", NS, None, "SE-CARE").code == "VP003"


def test_whitespace_in_the_address_gets_ntjps_hint():
    assert "Whitespace detected" in table().decide("AddMessage", NS, "5565594230 ", "SE-CARE").detail


def test_wildcard_route_and_checks_switched_off_per_contract():
    t = table()
    assert t.decide("GetUserProfile", NS, "any-address", "SE-ADMIN").logical_address == "*"
    assert t.decide("GetUserProfile", NS, "any-address", "SE-CARE").code == "VP007"
    assert t.decide("GetPersonsForProfile", NS, "X", None) is None
    assert t.decide("GetPersonsForProfile", NS, None, None).code == "VP003"


def test_star_checks_change_every_contract():
    t = parse('[checks."*"]\nlogical_address = false\nrouting = false\n', KNOWN)
    assert t.decide("AddMessage", NS, None, "SE-X").code == "VP007"
    t = parse('[checks."*"]\nlogical_address = false\nrouting = false\nauthorization = false\n', KNOWN)
    assert t.decide("AddMessage", NS, None, None) is None


def test_the_table_as_json_lists_every_entry():
    data = table().as_dict()
    assert {"contract": "AddMessage", "logical_address": "SE2321000016-MVK"} in data["routes"]
    assert {"consumer": "SE-ADMIN", "contract": "*", "logical_address": "*"} in data["authorizations"]
    assert data["checks"]["GetPersonsForProfile"] == {"logical_address": True, "routing": False, "authorization": False}


@pytest.mark.parametrize(
    "text, field",
    [
        ("[[routes]]\ncontract = 'AddMesage'\nlogical_address = 'X'\n", "routes[0].contract"),
        ("[[routes]]\ncontract = 'AddMessage'\n", "routes[0].logical_address"),
        (
            "[[routes]]\ncontract = 'AddMessage'\nlogical_address = 'X'\nlogical_addresses = ['Y']\n",
            "routes[0].logical_address",
        ),
        (
            "[[routes]]\ncontract = 'AddMessage'\nlogical_address = 'X'\n[[routes]]\ncontract = 'AddMessage'\n"
            "logical_address = 'X'\n",
            "routes[1]",
        ),
        ("[[routes]]\ncontract = 'AddMessage'\nlogical_address = 'X'\nupstream = 'ftp://x'\n", "routes[0].upstream"),
        (
            "[[routes]]\ncontract = 'AddMessage'\nlogical_address = 'X'\nclient_cert = 'nope.pem'\n",
            "routes[0].client_cert",
        ),
        ("[[routes]]\ncontract = 'AddMessage'\nlogical_address = 'X'\ntimeout = 0\n", "routes[0].timeout"),
        (
            "[[authorizations]]\nconsumer = ''\ncontract = 'AddMessage'\nlogical_address = 'X'\n",
            "authorizations[0].consumer[0]",
        ),
        (
            "[[authorizations]]\nconsumer = 'A'\ncontract = 'AddMessage'\nlogical_address = 'X'\nextra = 1\n",
            "authorizations[0].extra",
        ),
        ("[checks.AddMessage]\nrouting = 'no'\n", "checks.AddMessage.routing"),
        ("[platform]\nproducer_timeout = 1000\n", "platform.producer_timeout"),
        ("[routing]\n", "routing"),
        ("not toml at all [", "file"),
    ],
)
def test_mistakes_in_the_file_name_their_place(text, field):
    with pytest.raises(ConfigError) as error:
        parse(text, KNOWN, "/tmp/routing.toml")
    assert error.value.field == field, str(error.value)
