"""A third-party SOAP client (zeep) generated from the WSDL the simulator serves can call
GetPersonsForProfile with the LogicalAddress header and read the answer: the contract
files, their imports over HTTP and the producer's answer fit together."""

from __future__ import annotations

import requests
import zeep
from zeep.transports import Transport

from simulator.pu.domain import OID_PERSONNUMMER
from tests.pu.wire import CONSUMER, LOGICAL_ADDRESS


def test_zeep_client_from_the_served_wsdl_reads_profile_p3(simulator):
    session = requests.Session()
    session.headers["x-rivta-original-serviceconsumer-hsaid"] = CONSUMER
    client = zeep.Client(
        f"{simulator.url}/pu/GetPersonsForProfile/5/rivtabp21?wsdl", transport=Transport(session=session, timeout=30)
    )
    answer = client.service.GetPersonsForProfile(
        personId=[{"root": OID_PERSONNUMMER, "extension": "191212121212"}],
        profile="P3",
        ignoreReferredIdentity=False,
        _soapheaders={"LogicalAddress": LOGICAL_ADDRESS},
    )
    (found,) = answer.requestedPersonRecord
    person = found.personRecord
    assert person.personalIdentity.extension == "191212121212"
    assert person.name.surname == "Tolvansson"
    assert person.testIndicator is True
    assert person.optoutPaperNotification is True
    assert person.addressInformation.residentialAddress.city
