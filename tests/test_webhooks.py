"""`fluent_sdk.webhooks`: signature checks (SHA512withRSA, legacy MD5withRSA) and event parsing."""

from __future__ import annotations

import base64
import json
import sys
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from fluent_sdk import webhooks
from fluent_sdk.errors import FluentError, ValidationError
from fluent_sdk.webhooks import WebhookEvent, WebhookSignatureError

EVENT: dict[str, Any] = {
    "id": "a1b2c3",
    "name": "OrderComplete",
    "accountId": "ACME",
    "retailerId": 1,
    "rootEntityId": 123,
    "rootEntityRef": "HD_1001",
    "rootEntityType": "ORDER",
    "entityId": 123,
    "entityRef": "HD_1001",
    "entityType": "ORDER",
    "entityStatus": "COMPLETE",
    "type": "NORMAL",
    "generatedOn": "2025-05-01T10:00:00.000Z",
    "attributes": {"reason": "delivered"},
    "meta": {"source": "rule"},
}
BODY = json.dumps(EVENT).encode()


@pytest.fixture(scope="module")
def private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def public_pem(private_key: rsa.RSAPrivateKey) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def fluent_signature(key: rsa.RSAPrivateKey, body: bytes, algorithm: Any) -> str:
    """What Fluent sends: base64 of the RSA PKCS#1 v1.5 signature of the body."""
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), algorithm)).decode()


def certificate_pem(key: rsa.RSAPrivateKey) -> bytes:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "fluent-webhooks.test")])
    now = datetime.now(timezone.utc)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now.replace(year=now.year + 1))
        .sign(key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


def test_sha512_signature_verifies(private_key: rsa.RSAPrivateKey, public_pem: str) -> None:
    headers = {"Fluent-Signature": fluent_signature(private_key, BODY, hashes.SHA512())}
    assert webhooks.verify(BODY, headers, public_pem) is True
    assert webhooks.is_valid(BODY, headers, public_pem) is True


def test_legacy_md5_signature_verifies_unless_refused(
    private_key: rsa.RSAPrivateKey, public_pem: str
) -> None:
    headers = {"flex.signature": fluent_signature(private_key, BODY, hashes.MD5())}
    assert webhooks.verify(BODY, headers, public_pem)
    with pytest.raises(WebhookSignatureError) as refused:
        webhooks.verify(BODY, headers, public_pem, allow_legacy=False)
    assert refused.value.header is None
    assert "fluent-signature" in str(refused.value)


def test_tampered_body_or_wrong_key_is_rejected(
    private_key: rsa.RSAPrivateKey, public_pem: str
) -> None:
    headers = {"fluent-signature": fluent_signature(private_key, BODY, hashes.SHA512())}
    tampered = BODY.replace(b"COMPLETE", b"CANCELLED")
    with pytest.raises(WebhookSignatureError) as error:
        webhooks.verify(tampered, headers, public_pem)
    assert error.value.header == "fluent-signature"
    assert isinstance(error.value, FluentError)
    assert webhooks.is_valid(tampered, headers, public_pem) is False

    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert webhooks.is_valid(BODY, headers, other.public_key()) is False


def test_a_bad_sha512_signature_does_not_fall_back_to_md5(
    private_key: rsa.RSAPrivateKey, public_pem: str
) -> None:
    headers = {
        "fluent-signature": fluent_signature(private_key, b"something else", hashes.SHA512()),
        "flex.signature": fluent_signature(private_key, BODY, hashes.MD5()),
    }
    assert webhooks.is_valid(BODY, headers, public_pem) is False


def test_signature_made_with_md5_is_not_accepted_as_sha512(
    private_key: rsa.RSAPrivateKey, public_pem: str
) -> None:
    headers = {"fluent-signature": fluent_signature(private_key, BODY, hashes.MD5())}
    assert webhooks.is_valid(BODY, headers, public_pem) is False


def test_missing_or_malformed_headers(private_key: rsa.RSAPrivateKey, public_pem: str) -> None:
    with pytest.raises(WebhookSignatureError, match="no signature header"):
        webhooks.verify(BODY, {"content-type": "application/json"}, public_pem)
    with pytest.raises(WebhookSignatureError, match="not valid base64"):
        webhooks.verify(BODY, {"fluent-signature": "%%%not-base64%%%"}, public_pem)
    assert webhooks.is_valid(BODY, {}, public_pem) is False


@pytest.mark.parametrize(
    "key_form", ["pem_text", "pem_bytes", "certificate", "bare_base64_der", "der", "loaded"]
)
def test_public_key_forms(private_key: rsa.RSAPrivateKey, public_pem: str, key_form: str) -> None:
    der = private_key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key: Any = {
        "pem_text": public_pem,
        "pem_bytes": public_pem.encode(),
        "certificate": certificate_pem(private_key),
        "bare_base64_der": base64.b64encode(der).decode(),
        "der": der,
        "loaded": private_key.public_key(),
    }[key_form]
    # Headers as a real case-insensitive multi-dict, body as text.
    headers = httpx.Headers({"fluent-signature": webhooks.sign(BODY, private_key)})
    assert webhooks.verify(BODY.decode(), headers, key)


def test_unreadable_or_non_rsa_keys_are_validation_errors() -> None:
    ec_key = ec.generate_private_key(ec.SECP256R1()).public_key()
    ec_pem = ec_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for key in (
        "not a key",
        b"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----",
        ec_pem,
        42,
    ):
        with pytest.raises(ValidationError) as error:
            webhooks.load_public_key(key)
        assert error.value.field == "public_key"


def test_sign_round_trips_both_algorithms(private_key: rsa.RSAPrivateKey, public_pem: str) -> None:
    legacy = {"flex.signature": webhooks.sign(BODY, private_key, algorithm="MD5")}
    assert webhooks.verify(BODY, legacy, public_pem)
    with pytest.raises(ValidationError):
        webhooks.sign(BODY, private_key, algorithm="SHA1")  # type: ignore[arg-type]


def test_parse_reads_the_event_leniently() -> None:
    event = webhooks.parse(BODY)

    assert isinstance(event, WebhookEvent)
    assert (event.name, event.entity_type, event.entity_ref) == (
        "OrderComplete",
        "ORDER",
        "HD_1001",
    )
    assert (event.retailer_id, event.entity_id, event.root_entity_id) == ("1", "123", "123")
    assert event.generated_on == datetime(2025, 5, 1, 10, 0, tzinfo=timezone.utc)
    assert event.attributes == {"reason": "delivered"}
    assert event.model_extra == {"meta": {"source": "rule"}}


def test_parse_accepts_attribute_lists_sparse_bodies_and_mappings() -> None:
    listed = webhooks.parse(
        json.dumps(
            {"name": "X", "attributes": [{"name": "qty", "type": "INTEGER", "value": 2}],
             "generatedOn": 1714557600000, "entityStatus": None}
        )
    )  # fmt: skip
    assert listed.attributes == {"qty": 2}
    assert listed.generated_on is not None
    assert listed.generated_on.astimezone(timezone.utc).year == 2024
    assert webhooks.parse(b"{}") == WebhookEvent()
    assert webhooks.parse({"entityRef": 5}).entity_ref == "5"
    assert webhooks.parse({"generatedOn": "yesterday"}).generated_on is None


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe", 12])
def test_parse_rejects_non_objects(body: Any) -> None:
    with pytest.raises(ValidationError) as error:
        webhooks.parse(body)
    assert error.value.field == "body"


def test_missing_cryptography_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cryptography", None)
    with pytest.raises(ImportError, match=r"pip install 'fluent-sdk\[webhooks\]'"):
        webhooks.verify(BODY, {"fluent-signature": "AAAA"}, "key")
    assert webhooks.parse(BODY).name == "OrderComplete"  # parsing needs no cryptography
