"""Receiving Fluent webhooks: check the signature, read the event.

Fluent's ``SendWebhook`` rule POSTs the event as JSON and signs the exact body bytes with the
environment's private key: ``fluent-signature`` (SHA512withRSA) and, on older setups,
``flex.signature`` (MD5withRSA), both base64. Verify with Fluent's public key for that
environment (PEM public key or x509 certificate, or the bare base64 DER text)::

    from fluent_sdk import webhooks

    @app.post("/fluent/webhook")
    def receive(request):
        body = request.body                     # the raw bytes, before any JSON parsing
        webhooks.verify(body, request.headers, FLUENT_PUBLIC_KEY)   # WebhookSignatureError
        event = webhooks.parse(body)
        if event.entity_type == "ORDER" and event.name == "OrderComplete":
            ...
        return 200                              # answer fast: Fluent retries after a timeout

``verify`` prefers ``fluent-signature`` when both headers are present and never falls back to
the MD5 one if the SHA512 one fails (``allow_legacy=False`` refuses MD5 altogether).
`is_valid` returns a bool instead of raising. `parse` is lenient: unknown fields are kept
(``event.model_extra``), ids may be numbers or strings, ``attributes`` may be a mapping or
a ``[{name, value}]`` list. Signing needs the optional ``cryptography`` package
(``pip install 'fluent-sdk[webhooks]'``); `sign` exists for testing your receiver.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
from collections.abc import Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, Literal

import pydantic
from pydantic import BaseModel, ConfigDict, field_validator
from pydantic.alias_generators import to_camel

from fluent_sdk._attributes import attributes_from_data
from fluent_sdk.errors import ValidationError, WebhookSignatureError

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, RSAPublicKey

__all__ = [
    "LEGACY_SIGNATURE_HEADER",
    "SIGNATURE_HEADER",
    "WebhookEvent",
    "WebhookSignatureError",
    "is_valid",
    "load_public_key",
    "parse",
    "sign",
    "verify",
]

#: SHA512withRSA signature of the body, base64.
SIGNATURE_HEADER = "fluent-signature"
#: MD5withRSA signature of the body, base64 (older accounts).
LEGACY_SIGNATURE_HEADER = "flex.signature"

Algorithm = Literal["SHA512", "MD5"]
_HEADER_ALGORITHMS: tuple[tuple[str, Algorithm], ...] = (
    (SIGNATURE_HEADER, "SHA512"),
    (LEGACY_SIGNATURE_HEADER, "MD5"),
)


def _crypto() -> Any:
    """The ``cryptography`` modules, or an ImportError that says how to get them."""
    try:
        from cryptography import exceptions, x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import padding, rsa
    except ImportError:
        raise ImportError(
            "webhook signatures need the 'cryptography' package: pip install 'fluent-sdk[webhooks]'"
        ) from None

    return SimpleNamespace(
        exceptions=exceptions,
        x509=x509,
        hashes=hashes,
        serialization=serialization,
        padding=padding,
        rsa=rsa,
    )


def load_public_key(key: Any) -> RSAPublicKey:
    """An RSA public key from a loaded key, an x509 certificate, PEM text/bytes (public key or
    certificate), DER bytes, or base64 DER text without the PEM armour."""
    crypto = _crypto()
    if isinstance(key, crypto.rsa.RSAPublicKey):
        return key  # type: ignore[no-any-return]
    if isinstance(key, crypto.x509.Certificate):
        return _require_rsa(key.public_key(), crypto)
    if isinstance(key, str):
        key = key.strip().encode()
    if not isinstance(key, bytes | bytearray | memoryview):
        raise ValidationError(
            f"public_key must be PEM/DER text or bytes or a loaded key, got {type(key).__name__}",
            field="public_key",
        )
    data = bytes(key).strip()
    loaders: list[Any] = []
    if b"-----BEGIN CERTIFICATE-----" in data:
        loaders.append(lambda: crypto.x509.load_pem_x509_certificate(data).public_key())
    elif b"-----BEGIN" in data:
        loaders.append(lambda: crypto.serialization.load_pem_public_key(data))
    else:
        der = data  # raw DER bytes, unless it reads as base64 text
        with contextlib.suppress(binascii.Error, ValueError):
            der = base64.b64decode(b"".join(data.split()), validate=True)
        loaders.append(lambda: crypto.serialization.load_der_public_key(der))
        loaders.append(lambda: crypto.x509.load_der_x509_certificate(der).public_key())
    for load in loaders:
        try:
            return _require_rsa(load(), crypto)
        except (ValueError, TypeError, crypto.exceptions.UnsupportedAlgorithm):
            continue
    raise ValidationError(
        "public_key is not a readable RSA public key or certificate", field="public_key"
    )


def _require_rsa(key: Any, crypto: Any) -> RSAPublicKey:
    if not isinstance(key, crypto.rsa.RSAPublicKey):
        raise ValidationError("public_key must be an RSA key", field="public_key")
    return key  # type: ignore[no-any-return]


def _body_bytes(body: Any) -> bytes:
    if isinstance(body, bytes):
        return body
    if isinstance(body, bytearray | memoryview):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    raise ValidationError(
        f"body must be the raw request bytes, got {type(body).__name__}", field="body"
    )


def _header(headers: Any, name: str) -> str | None:
    """Header ``name`` from a mapping of any case (dict, httpx/Starlette headers, ...)."""
    if headers is None:
        return None
    if not isinstance(headers, Mapping) and not hasattr(headers, "items"):
        raise ValidationError(
            "headers must be a mapping of header names to values", field="headers"
        )
    for key, value in headers.items():
        if isinstance(key, bytes):
            key = key.decode("latin-1")
        if str(key).strip().lower() == name:
            if isinstance(value, bytes):
                value = value.decode("latin-1")
            if isinstance(value, list | tuple):
                value = value[0] if value else None
            return None if value is None else str(value)
    return None


def _hash(algorithm: Algorithm, crypto: Any) -> Any:
    return crypto.hashes.SHA512() if algorithm == "SHA512" else crypto.hashes.MD5()


def verify(
    body: bytes | str,
    headers: Mapping[str, Any] | Any,
    public_key: Any,
    *,
    allow_legacy: bool = True,
) -> bool:
    """True when the body's signature checks out; raises `WebhookSignatureError` otherwise.

    ``body`` must be the exact bytes received. ``headers`` is any mapping (names compared
    case-insensitively). ``public_key`` is anything `load_public_key` reads.
    """
    data = _body_bytes(body)
    key = load_public_key(public_key)
    crypto = _crypto()
    for header, algorithm in _HEADER_ALGORITHMS:
        if algorithm == "MD5" and not allow_legacy:
            continue
        value = _header(headers, header)
        if value is None:
            continue
        try:
            signature = base64.b64decode("".join(value.split()), validate=True)
        except (binascii.Error, ValueError):
            raise WebhookSignatureError(
                f"the {header} header is not valid base64", header=header
            ) from None
        try:
            key.verify(signature, data, crypto.padding.PKCS1v15(), _hash(algorithm, crypto))
        except crypto.exceptions.InvalidSignature:
            # No fall back to a weaker header: a bad SHA512 signature is a bad request.
            raise WebhookSignatureError(
                f"the {header} signature ({algorithm}withRSA) does not match the body",
                header=header,
            ) from None
        return True
    expected = SIGNATURE_HEADER + (f" or {LEGACY_SIGNATURE_HEADER}" if allow_legacy else "")
    raise WebhookSignatureError(f"no signature header: expected {expected}")


def is_valid(
    body: bytes | str,
    headers: Mapping[str, Any] | Any,
    public_key: Any,
    *,
    allow_legacy: bool = True,
) -> bool:
    """Like `verify` but False instead of `WebhookSignatureError` (bad keys still raise)."""
    try:
        return verify(body, headers, public_key, allow_legacy=allow_legacy)
    except WebhookSignatureError:
        return False


def sign(body: bytes | str, private_key: RSAPrivateKey, *, algorithm: Algorithm = "SHA512") -> str:
    """The base64 signature Fluent would send for ``body`` (for testing receivers):
    ``{"fluent-signature": sign(body, key)}`` or ``algorithm="MD5"`` for ``flex.signature``."""
    if algorithm not in ("SHA512", "MD5"):
        raise ValidationError("algorithm must be 'SHA512' or 'MD5'", field="algorithm")
    crypto = _crypto()
    signature = private_key.sign(
        _body_bytes(body), crypto.padding.PKCS1v15(), _hash(algorithm, crypto)
    )
    return base64.b64encode(signature).decode()


def _id_text(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


class WebhookEvent(BaseModel):
    """The event a webhook carries. Every field may be missing; unknown ones are kept in
    ``model_extra``. ``attributes`` is always a mapping of name to value."""

    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="allow", frozen=True
    )

    id: str | None = None
    name: str | None = None
    type: str | None = None
    account_id: str | None = None
    retailer_id: str | None = None
    entity_type: str | None = None
    entity_subtype: str | None = None
    entity_id: str | None = None
    entity_ref: str | None = None
    entity_status: str | None = None
    root_entity_type: str | None = None
    root_entity_id: str | None = None
    root_entity_ref: str | None = None
    source: str | None = None
    generated_by: str | None = None
    generated_on: datetime | None = None
    attributes: dict[str, Any] = pydantic.Field(default_factory=dict)

    @field_validator("generated_on", mode="before")
    @classmethod
    def _lenient_datetime(cls, value: Any) -> Any:
        if value is None or isinstance(value, datetime):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            # Epoch milliseconds (Java clients) or seconds.
            seconds = value / 1000 if value > 10**11 else value
            return datetime.fromtimestamp(seconds).astimezone()
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return None
        return None

    @field_validator("attributes", mode="before")
    @classmethod
    def _attributes_as_mapping(cls, value: Any) -> Any:
        if value is None or isinstance(value, list):
            return attributes_from_data(value)
        return value  # a mapping, or something the field's type refuses

    @field_validator("*", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: Any, info: pydantic.ValidationInfo) -> Any:
        if info.field_name in ("generated_on", "attributes"):
            return value
        return _id_text(value)


def parse(body: bytes | str | Mapping[str, Any]) -> WebhookEvent:
    """The event in a webhook body (bytes, text or an already-decoded mapping)."""
    if isinstance(body, Mapping):
        data: Any = dict(body)
    else:
        try:
            data = json.loads(_body_bytes(body))
        except (UnicodeDecodeError, ValueError):
            raise ValidationError("webhook body is not JSON", field="body") from None
    if not isinstance(data, dict):
        raise ValidationError("webhook body must be a JSON object", field="body")
    try:
        return WebhookEvent.model_validate(data)
    except pydantic.ValidationError as exc:
        details = exc.errors(include_url=False, include_input=False)
        where = ".".join(str(p) for p in details[0]["loc"]) if details else "body"
        message = details[0]["msg"] if details else "invalid"
        raise ValidationError(f"webhook body: {where}: {message}", field=where) from None
