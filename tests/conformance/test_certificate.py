"""The signed certificate: keys made with the right permissions, a report signed and then
verified offline through the CLI, and every kind of tampering named and refused."""

from __future__ import annotations

import base64
import json
import stat

import pytest
from click.testing import CliRunner

from conformance import certificate as signing
from conformance.cli import conformance
from conformance.report import write
from tests.conformance.test_units import certificate, sample_verdicts


@pytest.fixture
def keys(tmp_path):
    private, public = signing.init_keys(tmp_path / "keys")
    return private, public


@pytest.fixture
def signed_report(tmp_path, keys):
    report = tmp_path / "report"
    meta = certificate()
    meta.profile_sha256 = "ab" * 32
    meta.suite_version = "0.1.0"
    meta.identity = {"vendor": "Vendor <AB>", "system": "Journal & Co", "version": "9.9", "consumer_hsa_id": "SE-1"}
    write(report, meta, sample_verdicts(), 3.0, signing.load_private_key(keys[0]), "kallelse conformance verify X")
    return report


def verify(report, public, evidence=True):
    args = ["verify", str(report / "certificate.json"), "--public-key", str(public)]
    if evidence:
        args += ["--evidence", str(report)]
    return CliRunner().invoke(conformance, args)


def edit(report, change) -> None:
    path = report / "certificate.json"
    document = json.loads(path.read_text("utf-8"))
    change(document)
    path.write_text(json.dumps(document), "utf-8")


def test_keys_init_writes_a_private_key_only_its_owner_reads(tmp_path):
    result = CliRunner().invoke(conformance, ["keys", "init", "--out", str(tmp_path / "k")])
    assert result.exit_code == 0, result.output
    private = tmp_path / "k" / signing.PRIVATE_KEY_FILE
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    public = signing.load_public_key(tmp_path / "k" / signing.PUBLIC_KEY_FILE)
    assert signing.fingerprint(public) in result.output
    again = CliRunner().invoke(conformance, ["keys", "init", "--out", str(tmp_path / "k")])
    assert again.exit_code == 1 and "exists already" in again.output
    assert signing.load_private_key(private).public_key() == public  # the pair was not replaced


def test_a_signed_report_verifies_with_its_public_key(signed_report, keys):
    result = verify(signed_report, keys[1])
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output and "1 of 2 rules passed" in result.output
    assert "report.json SHA-256" in result.output and "junit.xml SHA-256" in result.output
    document = json.loads((signed_report / "certificate.json").read_text("utf-8"))
    payload = document["certificate"]
    assert payload["verdicts"] == [{"rule_id": "CH-03", "status": "fail"}, {"rule_id": "MC-08", "status": "pass"}]
    assert payload["profile"] == {"key": "rjl", "name": "Region Jönköpings län", "sha256": "ab" * 32}
    assert payload["health"]["consumer_hsa_id"] == "SE-1" and payload["suite"]["version"] == "0.1.0"
    assert set(payload["evidence_sha256"]) == {"report.json", "junit.xml"}


def test_the_html_report_shows_the_certificate_and_the_command(signed_report, keys):
    page = (signed_report / "index.html").read_text("utf-8")
    assert signing.fingerprint(signing.load_public_key(keys[1])) in page
    assert "kallelse conformance verify X" in page and "ab" * 32 in page
    digest = signing.sha256_hex((signed_report / "report.json").read_bytes())
    assert digest in page and "CH-03 fail" in page


@pytest.mark.parametrize(
    ("what", "change", "message"),
    [
        ("flip a verdict", lambda d: d["certificate"]["verdicts"][0].update(status="pass"), "signature does not match"),
        ("change the profile digest", lambda d: d["certificate"]["profile"].update(sha256="00" * 32), "does not match"),
        ("change the summary", lambda d: d["certificate"]["summary"].update(fail=0), "does not match"),
        (
            "change an evidence digest",
            lambda d: d["certificate"]["evidence_sha256"].update(**{"junit.xml": "0"}),
            "match",
        ),
        ("strip the signature", lambda d: d.pop("signature"), "carries no signature"),
        ("empty the signature", lambda d: d["signature"].update(value=""), "carries no signature"),
        ("garble the signature", lambda d: d["signature"].update(value="not base64!"), "does not match"),
        ("another algorithm", lambda d: d["signature"].update(algorithm="RS256"), "signature algorithm"),
        ("not a certificate", lambda d: d.pop("certificate"), "not a conformance certificate"),
    ],
)
def test_tampering_with_the_certificate_is_detected(signed_report, keys, what, change, message):
    edit(signed_report, change)
    result = verify(signed_report, keys[1])
    assert result.exit_code == 1, (what, result.output)
    assert message in result.output and "INVALID" in result.output


def test_a_signature_replaced_by_another_keys_is_detected(signed_report, keys, tmp_path):
    """A forger re-signs the altered certificate with a key of their own."""
    forger = signing.load_private_key(signing.init_keys(tmp_path / "forger")[0])

    def resign(document):
        document["certificate"]["verdicts"][0]["status"] = "pass"
        forged = signing.sign({k: v for k, v in document["certificate"].items() if k != "format"}, forger)
        document["signature"] = forged["signature"]

    edit(signed_report, resign)
    result = verify(signed_report, keys[1])
    assert result.exit_code == 1 and "wrong key" in result.output and "does not match" in result.output


def test_a_signature_copied_with_the_fingerprint_rewritten_is_detected(signed_report, keys, tmp_path):
    forger = signing.load_private_key(signing.init_keys(tmp_path / "forger")[0])
    own = signing.fingerprint(signing.load_public_key(keys[1]))

    def resign(document):
        forged = signing.sign({k: v for k, v in document["certificate"].items() if k != "format"}, forger)
        document["signature"] = {**forged["signature"], "key_fingerprint": own}

    edit(signed_report, resign)
    result = verify(signed_report, keys[1])
    assert result.exit_code == 1 and "does not match" in result.output


def test_verifying_with_the_wrong_public_key_fails(signed_report, tmp_path):
    other = signing.init_keys(tmp_path / "other")[1]
    result = verify(signed_report, other)
    assert result.exit_code == 1 and "wrong key" in result.output


@pytest.mark.parametrize("name", ["report.json", "junit.xml"])
def test_a_changed_byte_in_an_evidence_file_is_detected_when_the_evidence_is_given(signed_report, keys, name):
    path = signed_report / name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = verify(signed_report, keys[1])
    assert result.exit_code == 1 and f"evidence file {name} was changed" in result.output
    without = verify(signed_report, keys[1], evidence=False)
    assert without.exit_code == 0 and "evidence files not checked" in without.output


def test_a_missing_evidence_file_is_named(signed_report, keys):
    (signed_report / "junit.xml").unlink()
    result = verify(signed_report, keys[1])
    assert result.exit_code == 1 and "evidence file junit.xml is missing" in result.output


def test_a_public_key_that_is_not_ed25519_is_refused(signed_report, tmp_path):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    (tmp_path / "ec.pem").write_bytes(pem)
    result = verify(signed_report, tmp_path / "ec.pem")
    assert result.exit_code == 2 and "not an Ed25519 public key" in result.output


def test_the_canonical_form_ignores_key_order_and_whitespace_and_refuses_floats():
    one = json.loads('{"b": [1, {"y": true, "x": null}], "a": "Jönköping"}')
    two = json.loads('{ "a":"Jönköping" ,"b":[1,{"x":null,"y":true}] }')
    assert signing.canonical(one) == signing.canonical(two) == '{"a":"Jönköping","b":[1,{"x":null,"y":true}]}'.encode()
    with pytest.raises(TypeError):
        signing.canonical({"seconds": 1.5})


def test_a_reformatted_certificate_still_verifies(signed_report, keys):
    """Only the canonical bytes are signed, so pretty-printing or key order do not matter."""
    edit(signed_report, lambda d: None)  # rewritten compact, keys in another order
    assert verify(signed_report, keys[1]).exit_code == 0
    raw = base64.b64decode(json.loads((signed_report / "certificate.json").read_text())["signature"]["value"])
    assert len(raw) == 64  # an Ed25519 signature
