"""The Plugin (rules) API (``/orchestration/rest/v1/plugin``): list rules, upload, install and
check rule bundles.

``client.plugins`` is a `Plugins` (sync) or `AsyncPlugins` (async). Errors from this service
have the shape ``{"message": ..., "status": ...}``; the client maps them like any other.
"""

from __future__ import annotations

import functools
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pydantic
from pydantic import Field, TypeAdapter

from fluent_sdk._types import ApiCall, AsyncRestClient, RestClient
from fluent_sdk.errors import APIError, ValidationError
from fluent_sdk.rest._common import (
    AsyncNamespace,
    RequestModel,
    ResponseModel,
    SyncNamespace,
    json_model_parser,
    response_json,
    to_validation_error,
)

__all__ = [
    "AsyncPlugins",
    "BundleStatus",
    "PluginRule",
    "PluginUploaded",
    "Plugins",
    "RuleAccepts",
    "RuleInfo",
    "RuleParameter",
]

PLUGIN_PATH = "/orchestration/rest/v1/plugin"
# ACCOUNT.namespace::version, e.g. ACME.inventory::1.0.3
_BUNDLE_NAME = re.compile(r"^(?P<account>[A-Za-z0-9_\-]+)\.[A-Za-z0-9_.\-]+::[A-Za-z0-9_.\-]+$")
# Jars are zip archives.
_ZIP_MAGIC = b"PK\x03\x04"


class RuleParameter(ResponseModel):
    name: str | None = None
    description: str | None = None
    #: e.g. ``STRING``, ``INTEGER``.
    type: str | None = None
    multiple: bool | None = None


class RuleAccepts(ResponseModel):
    """An event a rule accepts."""

    entity_type: str | None = Field(default=None, alias="entityType")
    entity_subtype: str | None = Field(default=None, alias="entitySubtype")
    event_name: str | None = Field(default=None, alias="eventName")
    status: str | None = None


class RuleInfo(ResponseModel):
    name: str | None = None
    description: str | None = None
    accepts: list[RuleAccepts] = Field(default_factory=list)
    produces: list[Any] = Field(default_factory=list)
    rule_exception: list[Any] = Field(default_factory=list, alias="ruleException")


class PluginRule(ResponseModel):
    """One active rule, listed under its key ``ACCOUNT.namespace.Rule``."""

    name: str | None = None
    description: str | None = None
    event_attributes: list[Any] = Field(default_factory=list, alias="eventAttributes")
    rule_info: RuleInfo | None = Field(default=None, alias="ruleInfo")
    parameters: list[RuleParameter] = Field(default_factory=list)

    @property
    def accepts(self) -> list[RuleAccepts]:
        """The events the rule accepts (empty when Fluent did not say)."""
        return self.rule_info.accepts if self.rule_info is not None else []


class PluginUploaded(ResponseModel):
    """The answer to an upload; its fields are UNCONFIRMED, so all are kept as sent."""


class BundleStatus(ResponseModel):
    """The state of a rule bundle, e.g. ``bundle_status == "ACTIVE"``."""

    bundle_name: str | None = Field(default=None, alias="bundleName")
    bundle_version: str | None = Field(default=None, alias="bundleVersion")
    bundle_status: str | None = Field(default=None, alias="bundleStatus")


class BundleInstall(RequestModel):
    """The body of ``POST /orchestration/rest/v1/plugin/install``."""

    account_id: str = Field(alias="accountId", min_length=1)
    bundle_name: str = Field(alias="bundleName", min_length=1)


@functools.cache
def _rules_adapter() -> TypeAdapter[dict[str, PluginRule]]:
    # Built on first use to keep imports cheap.
    return TypeAdapter(dict[str, PluginRule])


def _parse_rules(response: httpx.Response) -> dict[str, PluginRule]:
    body = response_json(response, "plugins.list")
    try:
        return _rules_adapter().validate_python(body if body is not None else {})
    except pydantic.ValidationError as exc:
        raise APIError(
            f"unexpected response to plugins.list: {to_validation_error(exc)}",
            status=response.status_code,
            operation="plugins.list",
        ) from None


def _check_bundle_name(bundle_name: Any) -> tuple[str, str]:
    """``bundle_name`` and its account, or a `ValidationError`."""
    match = _BUNDLE_NAME.match(bundle_name) if isinstance(bundle_name, str) else None
    if match is None:
        raise ValidationError(
            f"bundle_name must look like ACCOUNT.namespace::version, got {bundle_name!r}",
            field="bundle_name",
        )
    return bundle_name, match["account"]


class _PluginsBase:
    """Validation and `ApiCall` building for both twins."""

    @staticmethod
    def _list_call() -> ApiCall[dict[str, PluginRule]]:
        # The trailing slash is how the documented route is spelled.
        return ApiCall("GET", f"{PLUGIN_PATH}/", _parse_rules, operation="plugins.list")

    @staticmethod
    def _upload_call(path_to_jar: str | os.PathLike[str]) -> ApiCall[PluginUploaded]:
        try:
            file = Path(path_to_jar)
        except TypeError:
            raise ValidationError(
                f"path_to_jar must be a path, got {type(path_to_jar).__name__}",
                field="path_to_jar",
            ) from None
        if not file.is_file():
            raise ValidationError(f"path_to_jar: no file at {file}", field="path_to_jar")
        # Read into memory: jars are small, and a retry (connect errors) must resend it whole.
        content = file.read_bytes()
        if not content.startswith(_ZIP_MAGIC):
            raise ValidationError(
                f"path_to_jar: {file.name} is not a JAR (zip) file", field="path_to_jar"
            )
        return ApiCall(
            "POST",
            f"{PLUGIN_PATH}/upload",
            json_model_parser(PluginUploaded, "plugins.upload", empty={}),
            files={"file": (file.name, content, "application/java-archive")},
            operation="plugins.upload",
        )

    @staticmethod
    def _install_call(bundle_name: str, account_id: str | None) -> ApiCall[BundleStatus]:
        name, account = _check_bundle_name(bundle_name)
        try:
            body = BundleInstall(account_id=account_id or account, bundle_name=name)
        except ValidationError as exc:
            raise ValidationError(str(exc), field="account_id") from None
        return ApiCall(
            "POST",
            f"{PLUGIN_PATH}/install",
            # The install answer is UNCONFIRMED: read as a bundle status, every field kept.
            json_model_parser(BundleStatus, "plugins.install", empty={}),
            json=body.to_body(),
            operation="plugins.install",
        )

    @staticmethod
    def _status_call(bundle_name: str) -> ApiCall[BundleStatus]:
        name, _ = _check_bundle_name(bundle_name)
        return ApiCall(
            "GET",
            f"{PLUGIN_PATH}/{name}/status",
            json_model_parser(BundleStatus, "plugins.status"),
            operation="plugins.status",
        )


class Plugins(_PluginsBase, SyncNamespace[RestClient]):
    """``client.plugins``: the Plugin API, synchronously (needs PLUGIN_VIEW etc. in ACCOUNT
    context)."""

    def list(self) -> dict[str, PluginRule]:
        """Every active rule of the account, keyed ``ACCOUNT.namespace.Rule``."""
        return self._client.call(self._list_call())

    def upload(self, path_to_jar: str | os.PathLike[str]) -> PluginUploaded:
        """Upload a rule bundle jar (multipart field ``file``)."""
        return self._client.call(self._upload_call(path_to_jar))

    def install(self, bundle_name: str, *, account_id: str | None = None) -> BundleStatus:
        """Install an uploaded bundle, e.g. ``"ACME.inventory::1.0.3"``. The account defaults
        to the bundle name's prefix."""
        return self._client.call(self._install_call(bundle_name, account_id))

    def status(self, bundle_name: str) -> BundleStatus:
        """A bundle's version and status (``ACTIVE`` once installed)."""
        return self._client.call(self._status_call(bundle_name))


class AsyncPlugins(_PluginsBase, AsyncNamespace[AsyncRestClient]):
    """``client.plugins`` on `AsyncFluentClient`: the Plugin API, awaitable."""

    async def list(self) -> dict[str, PluginRule]:
        return await self._client.call(self._list_call())

    async def upload(self, path_to_jar: str | os.PathLike[str]) -> PluginUploaded:
        return await self._client.call(self._upload_call(path_to_jar))

    async def install(self, bundle_name: str, *, account_id: str | None = None) -> BundleStatus:
        return await self._client.call(self._install_call(bundle_name, account_id))

    async def status(self, bundle_name: str) -> BundleStatus:
        return await self._client.call(self._status_call(bundle_name))
