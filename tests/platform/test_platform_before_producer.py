"""The platform answers before the producer, as NTjP does: a call that is both
unroutable and schema-invalid gets the VP fault, not the schema fault; a routable
schema-invalid call still gets the producer's schema fault."""

from tests.platform.support import add_message, fault


def test_missing_logical_address_wins_over_a_schema_error(simulator):
    response = add_message(simulator.url, "1912", logical_address=None)  # bad personnummer too
    code, text = fault(response)
    assert text.startswith("VP003"), text


def test_routable_call_with_a_schema_error_gets_the_producers_fault(simulator):
    code, text = fault(add_message(simulator.url, "1912"))
    assert code == "soap:Client"
    assert "Schema validation failed at /AddMessage/subjectOfCareId" in text
