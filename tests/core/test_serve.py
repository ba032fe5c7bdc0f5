"""``kallelse serve`` prints the URLs it serves once it is ready, and each one answers:
SOAP endpoints with their WSDL, pages and API with 200."""

import re

import requests

from tests.support import wait_for


def test_serve_announces_urls_that_answer(simulator_process):
    simulator = simulator_process
    log = wait_for(lambda: "is ready" in simulator.log() and simulator.log(), 30, "the ready message")
    announced = re.findall(r"^\s+(http://\S+)$", log.split("is ready:", 1)[1], re.M)
    soap = [u for u in announced if u.endswith("/rivtabp21")]
    assert {u.rsplit(str(simulator.port), 1)[1] for u in soap} >= {
        "/inbox/AddMessage/2/rivtabp21",
        "/userprofile/GetUserProfile/2/rivtabp21",
        "/userprofile/GetSubjectOfCare/2/rivtabp21",
        "/pu/GetPersonsForProfile/5/rivtabp21",
        "/inbox/GetMessageStatus/1/rivtabp21",
    }
    for url in announced:
        response = requests.get(url + ("?wsdl" if url in soap else ""), timeout=30)
        assert response.status_code == 200, (url, response.status_code)
        if url in soap:
            assert f'location="{url}"' in response.text
