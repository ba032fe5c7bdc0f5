"""AddMessage on the PostgreSQL path, where column lengths are enforced: any text the
contract allows is stored (no database error for a long facility name or header), and a
businessObjectId of any length (the contract and the TKB set none) still threads."""

from __future__ import annotations

import pytest

from tests.inbox import wire
from tests.support import SimulatorProcess

pytestmark = pytest.mark.postgres


@pytest.fixture()
def pg_server(tmp_path, postgres_url):
    sim = SimulatorProcess(tmp_path / "sim", database_url=postgres_url, seed=False).start()
    yield sim
    sim.stop()


def test_long_texts_and_longest_business_object_id_are_stored_on_postgres(pg_server):
    pnr = wire.new_pnr()
    wire.citizen_store(pg_server).save(wire.person(pnr))
    facility = (
        "<core:healthCareFacility><core:hsaId>"
        + "H" * 400
        + "</core:hsaId><core:healthCareFacilityName>"
        + "Kliniken " * 200
        + "</core:healthCareFacilityName></core:healthCareFacility>"
    )
    business_object_id = "B" * 255
    for _ in range(2):
        payload = wire.response_payload(
            wire.add_message(
                pg_server.url,
                pnr,
                extra_message=facility,
                business_object_id=business_object_id,
                header_text="Rubrik " * 500,
                case_type_description="Kallelse " * 100,
            )
        )
        assert payload.findtext(f"{{{wire.INBOX}}}resultCode") == "OK"
    [thread] = wire.inbox_store(pg_server).threads(pnr)
    assert len(thread["messages"]) == 2
    assert thread["messages"][0]["facility_name"] == "Kliniken " * 200


def test_business_object_id_of_any_length_is_stored_and_threads_on_postgres_TKB_7_4(pg_server):
    """TKB Ärendeinkorgen 7.4: businessObjectId has no length limit; a 10,000-character one
    must not meet a PostgreSQL index-size limit (it is indexed through its digest)."""
    pnr = wire.new_pnr()
    wire.citizen_store(pg_server).save(wire.person(pnr))
    business_object_id = "B" * 10_000
    for _ in range(2):
        payload = wire.response_payload(wire.add_message(pg_server.url, pnr, business_object_id=business_object_id))
        assert payload.findtext(f"{{{wire.INBOX}}}resultCode") == "OK"
    [thread] = wire.inbox_store(pg_server).threads(pnr)
    assert thread["business_object_id"] == business_object_id and len(thread["messages"]) == 2
