"""Shared pieces of the notebook-display tests: sandbox data with secrets and markup in it."""

from __future__ import annotations

from typing import Any

from fluent_sdk.sandbox import Sandbox

__all__ = ["CLIENT_SECRET", "MARKUP", "SERVICE_TOKEN", "add_providers", "graphql_requests"]

#: Values under secret-named fields of the payment service providers created here.
CLIENT_SECRET = "psp-client-secret-0451"
SERVICE_TOKEN = "psp-service-token-0451"
#: A name that must come out escaped, never as markup.
MARKUP = "<script>alert('x')</script> & Co"

_CREATE_PROVIDER = """
mutation($input: CreatePaymentServiceProviderInput) {
  createPaymentServiceProvider(input: $input) { id }
}
"""


def add_providers(sandbox: Sandbox, count: int, *, name: str = MARKUP, **extra: Any) -> None:
    """``count`` payment service providers ``PSP-00``…, each with a client secret, a service
    token and one attribute, created directly in the sandbox (no HTTP request recorded)."""
    for number in range(count):
        sandbox.execute(
            _CREATE_PROVIDER,
            {
                "input": {
                    "ref": f"PSP-{number:02d}",
                    "name": name,
                    "clientId": f"client-{number}",
                    "clientSecret": CLIENT_SECRET,
                    "serviceAuthToken": SERVICE_TOKEN,
                    "host": "pay.example.com",
                    "port": 443,
                    "retailer": {"id": "1"},
                    "attributes": [{"name": "tier", "type": "STRING", "value": "gold"}],
                    **extra,
                }
            },
        )


def graphql_requests(sandbox: Sandbox) -> int:
    return sandbox.requests.count("POST /graphql")
