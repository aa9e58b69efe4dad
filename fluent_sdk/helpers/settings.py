"""Platform settings (``client.settings``): read, create-or-update, search.

Usage::

    client.settings.set("acme.feature.enabled", True)            # BOOLEAN, retailer context
    client.settings.set("acme.mapping", {"AU": "DC1"})            # JSON, stored in lobValue
    client.settings.set("fc.graphql.comment.access", "retailer", context="ACCOUNT")
    setting = client.settings.get("acme.mapping")                 # Setting or None
    setting.value                                                 # {'AU': 'DC1'}
    client.settings.value("acme.feature.enabled", default=False)  # just the value
    for setting in client.settings.iter(name="acme.%"):            # % is a wildcard
        print(setting.name, setting.value)

A setting is identified by ``name`` + ``context`` + ``context_id``. ``context_id`` defaults to
the client's retailer for RETAILER and to 0 for ACCOUNT / GLOBAL; other contexts (AGENT,
CUSTOMER, ...) need it. ``value_type`` is inferred from the Python value when not given
(bool -> BOOLEAN, int -> INTEGER, str -> STRING, dict/list -> JSON). JSON and LOB values travel in
``lobValue``, every other type as a string in ``value``. `Setting.value` decodes it back.

`set` never creates twice: a create whose reply was lost, or that meets a setting someone else
created since the look-up, finds the stored setting and updates it if it differs
(`fluent_sdk.helpers._common.create_once`).

`_SettingsBase` holds the logic once, as plans (no I/O); `Settings` / `AsyncSettings` only run
them (`fluent_sdk.helpers._common`). ``iter`` is a `Paginator` (async: `AsyncPaginator`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, TypeVar

from fluent_sdk._attributes import attribute_type_for
from fluent_sdk._display import html_summary
from fluent_sdk._redact import MASK, redact
from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql import AsyncPaginator, Paginator
from fluent_sdk.graphql._pagination import DEFAULT_PAGE_SIZE
from fluent_sdk.helpers._calls import Listing, Operation, Plan, ResolveRetailer
from fluent_sdk.helpers._common import create_once
from fluent_sdk.helpers._driver import AsyncHelper, Lists, SyncHelper
from fluent_sdk.helpers._platform_common import dump_node, same_json

__all__ = ["LOB_VALUE_TYPES", "AsyncSettings", "Setting", "Settings", "infer_value_type"]

#: Value types stored in ``lobValue`` (any JSON) rather than ``value`` (a string).
LOB_VALUE_TYPES = frozenset({"JSON", "LOB"})
_ZERO_ID_CONTEXTS = frozenset({"ACCOUNT", "GLOBAL"})
# Setting names that suggest a credential: their values are masked in reprs and HTML.
_SECRET_NAME = re.compile(r"(?i)pass(word)?|secret|token|api[_.-]?key|credential|private")
_REPR_VALUE_LENGTH = 60
PagesT = TypeVar("PagesT")


def infer_value_type(value: Any) -> str:
    """Fluent ``valueType`` for a Python value (ValidationError when there is no safe guess):
    the attributes' type rule (`fluent_sdk._attributes.attribute_type_for`), where only a
    mapping or a list is JSON and a setting has no FLOAT."""
    kind = attribute_type_for(value)
    if kind in ("BOOLEAN", "INTEGER", "STRING") or isinstance(value, dict | list | tuple):
        return kind
    raise ValidationError(
        f"cannot infer value_type for a {type(value).__name__}: pass value_type= "
        "(STRING, INTEGER, BOOLEAN, JSON or LOB)",
        field="value_type",
    )


def _encode(value: Any, value_type: str) -> dict[str, Any]:
    """The ``value`` / ``lobValue`` part of a setting input."""
    if value is None:
        raise ValidationError("value must not be None", field="value")
    if value_type in LOB_VALUE_TYPES:
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise ValidationError(
                f"a {value_type} value must be JSON-serialisable, got {type(value).__name__}",
                field="value",
            ) from None
        return {"lobValue": list(value) if isinstance(value, tuple) else value}
    if value_type == "BOOLEAN":
        if isinstance(value, bool):
            return {"value": "true" if value else "false"}
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return {"value": value.lower()}
        raise ValidationError("a BOOLEAN value must be a bool or 'true'/'false'", field="value")
    if value_type == "INTEGER":
        if isinstance(value, int) and not isinstance(value, bool):
            return {"value": str(value)}
        if isinstance(value, str) and re.fullmatch(r"[+-]?\d+", value.strip()):
            return {"value": value.strip()}
        raise ValidationError("an INTEGER value must be an int or a digit string", field="value")
    if isinstance(value, bool):
        return {"value": "true" if value else "false"}
    if isinstance(value, str | int | float):
        return {"value": str(value)}
    raise ValidationError(
        f"a {value_type} value must be a string or number, got {type(value).__name__} "
        "(use value_type='JSON' for structured values)",
        field="value",
    )


def _decode(value_type: str | None, value: str | None, lob_value: Any) -> Any:
    kind = (value_type or "").upper()
    if kind in LOB_VALUE_TYPES:
        if lob_value is not None:
            return lob_value
        if kind == "JSON" and isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return value
        return value
    if value is None:
        return lob_value
    if kind == "BOOLEAN" and value.lower() in ("true", "false"):
        return value.lower() == "true"
    if kind == "INTEGER":
        try:
            return int(value)
        except ValueError:
            return value
    return value


@dataclass(frozen=True)
class Setting:
    """One setting. ``value`` is decoded by ``value_type`` (bool, int, str or JSON);
    ``raw_value`` / ``lob_value`` are what Fluent stores."""

    id: str
    name: str
    context: str
    context_id: int
    value_type: str | None
    raw_value: str | None
    lob_value: Any

    @classmethod
    def from_node(cls, node: Any) -> Setting:
        data = dump_node(node)
        return cls(
            id=str(data["id"]),
            name=str(data.get("name") or ""),
            context=str(data.get("context") or ""),
            context_id=int(data.get("contextId") or 0),
            value_type=data.get("valueType"),
            raw_value=data.get("value"),
            lob_value=data.get("lobValue"),
        )

    @property
    def value(self) -> Any:
        return _decode(self.value_type, self.raw_value, self.lob_value)

    @property
    def looks_secret(self) -> bool:
        return bool(_SECRET_NAME.search(self.name))

    def _shown_value(self) -> str:
        if self.looks_secret:
            return MASK
        text = redact(repr(self.value))
        if len(text) > _REPR_VALUE_LENGTH:
            text = text[: _REPR_VALUE_LENGTH - 1] + "…"
        return text

    def __repr__(self) -> str:
        return (
            f"Setting(name={self.name!r}, context='{self.context}:{self.context_id}', "
            f"value_type={self.value_type!r}, value={self._shown_value()}, id={self.id!r})"
        )

    def _repr_html_(self) -> str:
        return html_summary(
            f"Setting {self.name}",
            [
                ("context", f"{self.context}:{self.context_id}"),
                ("value_type", self.value_type),
                ("value", self._shown_value()),
                ("id", self.id),
            ],
        )


@dataclass(frozen=True)
class _Scope:
    context: str
    context_id: int


def _check_name(name: Any, *, wildcard: bool = False) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationError("name must be a non-empty string", field="name")
    if not wildcard and "%" in name:
        raise ValidationError("name must not contain '%' here (use iter() to search)", field="name")
    return name


def _check_context(context: Any) -> str:
    if not isinstance(context, str) or not context.strip():
        raise ValidationError("context must be a non-empty string", field="context")
    return context.strip().upper()


def _check_context_id(context_id: Any) -> int:
    if isinstance(context_id, bool):
        raise ValidationError("context_id must be an integer", field="context_id")
    if isinstance(context_id, str) and context_id.strip().isdecimal():
        return int(context_id)
    if not isinstance(context_id, int) or context_id < 0:
        raise ValidationError("context_id must be a non-negative integer", field="context_id")
    return context_id


class _SettingsBase(Lists[PagesT]):
    """No I/O: argument checks, scope resolution, value encoding, the listing, and the plans."""

    @staticmethod
    def _scope_without_retailer(context: Any, context_id: Any) -> tuple[str, int | None]:
        """The context and its id; None as id means "the client's retailer" (looked up)."""
        context = _check_context(context)
        if context_id is not None:
            return context, _check_context_id(context_id)
        if context in _ZERO_ID_CONTEXTS:
            return context, 0
        if context == "RETAILER":
            return context, None
        raise ValidationError(
            f"context_id is needed for context {context} (e.g. the location or customer id)",
            field="context_id",
        )

    @staticmethod
    def _lookup_args(name: str, scope: _Scope) -> dict[str, Any]:
        return {"name": [name], "context": [scope.context], "context_id": [scope.context_id]}

    @staticmethod
    def _pick(name: str, nodes: list[Any]) -> Setting | None:
        # The name filter treats '%' as a wildcard and may match more: keep the exact name.
        for node in nodes:
            setting = Setting.from_node(node)
            if setting.name == name:
                return setting
        return None

    @staticmethod
    def _prepare_value(value: Any, value_type: str | None) -> tuple[str, dict[str, Any]]:
        if value is None:
            raise ValidationError("value must not be None", field="value")
        if value_type is None:
            value_type = infer_value_type(value)
        elif not isinstance(value_type, str) or not value_type.strip():
            raise ValidationError("value_type must be a non-empty string", field="value_type")
        value_type = value_type.strip().upper()
        return value_type, _encode(value, value_type)

    @staticmethod
    def _write(
        existing: Setting | None,
        name: str,
        scope: _Scope,
        value_type: str,
        payload: dict[str, Any],
    ) -> tuple[str, dict[str, Any]] | None:
        """``(method, input)`` to send, or None when the stored setting already matches."""
        data: dict[str, Any] = {
            "name": name,
            "valueType": value_type,
            "context": scope.context,
            "contextId": scope.context_id,
            **payload,
        }
        if existing is None:
            return "create_setting", data
        stored = existing.lob_value if "lobValue" in payload else existing.raw_value
        wanted = payload.get("lobValue", payload.get("value"))
        if existing.value_type == value_type and same_json(stored, wanted):
            return None
        return "update_setting", {"id": existing.id, **data}

    def iter(
        self,
        name: str | None = None,
        context: str | None = None,
        context_id: int | None = None,
        *,
        value_type: str | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
    ) -> PagesT:
        """Settings matching every filter given (``name`` accepts ``%`` wildcards): a
        `Paginator` (async client: an `AsyncPaginator`, ``async for``)."""
        args: dict[str, Any] = {}
        if name is not None:
            args["name"] = [_check_name(name, wildcard=True)]
        if context is not None:
            args["context"] = [_check_context(context)]
        if context_id is not None:
            args["context_id"] = [_check_context_id(context_id)]
        if value_type is not None:
            args["value_type"] = [value_type.upper()]
        call = Operation("settings", args)
        return self._paginate(
            Listing(call, "settings", Setting.from_node, page_size=page_size, max_items=max_items)
        )

    # ---- plans --------------------------------------------------------------------------------
    def _scope_plan(self, context: Any, context_id: Any) -> Plan[_Scope]:
        resolved, known = self._scope_without_retailer(context, context_id)
        if known is None:
            known = int((yield ResolveRetailer()))
        return _Scope(resolved, known)

    def _find_plan(self, name: str, scope: _Scope) -> Plan[Setting | None]:
        call = Operation("settings", self._lookup_args(name, scope))
        nodes = yield Listing(call, "settings", page_size=100)
        return self._pick(name, nodes)

    def _get_plan(self, name: Any, context: Any, context_id: Any) -> Plan[Setting | None]:
        name = _check_name(name)
        scope = yield from self._scope_plan(context, context_id)
        return (yield from self._find_plan(name, scope))

    def _value_plan(self, name: Any, default: Any, context: Any, context_id: Any) -> Plan[Any]:
        setting = yield from self._get_plan(name, context, context_id)
        return default if setting is None else setting.value

    def _set_plan(
        self, name: Any, value: Any, context: Any, context_id: Any, value_type: str | None
    ) -> Plan[Setting]:
        name = _check_name(name)
        value_type, payload = self._prepare_value(value, value_type)
        scope = yield from self._scope_plan(context, context_id)
        existing = yield from self._find_plan(name, scope)
        write = self._write(existing, name, scope, value_type, payload)
        if write is not None and write[0] == "create_setting":
            # Never twice: a lost reply or a concurrent create finds the stored setting.
            created, existing = yield from create_once(
                Operation("create_setting", {"input": write[1]}),
                lambda: self._find_plan(name, scope),
                existing_ok=True,
                lookup_first=False,  # just looked
            )
            if existing is None:
                return Setting.from_node(created)
            write = self._write(existing, name, scope, value_type, payload)
        if write is None:
            assert existing is not None
            return existing
        return Setting.from_node((yield Operation(write[0], {"input": write[1]})))


class Settings(SyncHelper, _SettingsBase[Paginator[Setting]]):
    """``client.settings`` (see the module docstring)."""

    def get(
        self, name: str, context: str = "RETAILER", context_id: int | None = None
    ) -> Setting | None:
        """The setting ``name`` in that context, or None."""
        return self._run(self._get_plan(name, context, context_id))

    def value(
        self,
        name: str,
        default: Any = None,
        *,
        context: str = "RETAILER",
        context_id: int | None = None,
    ) -> Any:
        """The decoded value of ``name``, or ``default`` when it is not set."""
        return self._run(self._value_plan(name, default, context, context_id))

    def set(
        self,
        name: str,
        value: Any,
        *,
        context: str = "RETAILER",
        context_id: int | None = None,
        value_type: str | None = None,
    ) -> Setting:
        """Create the setting, or update it when it exists (no write when nothing differs)."""
        return self._run(self._set_plan(name, value, context, context_id, value_type))


class AsyncSettings(AsyncHelper, _SettingsBase[AsyncPaginator[Setting]]):
    """The async twin of `Settings`."""

    async def get(
        self, name: str, context: str = "RETAILER", context_id: int | None = None
    ) -> Setting | None:
        """See `Settings.get`."""
        return await self._run(self._get_plan(name, context, context_id))

    async def value(
        self,
        name: str,
        default: Any = None,
        *,
        context: str = "RETAILER",
        context_id: int | None = None,
    ) -> Any:
        """See `Settings.value`."""
        return await self._run(self._value_plan(name, default, context, context_id))

    async def set(
        self,
        name: str,
        value: Any,
        *,
        context: str = "RETAILER",
        context_id: int | None = None,
        value_type: str | None = None,
    ) -> Setting:
        """See `Settings.set`."""
        return await self._run(self._set_plan(name, value, context, context_id, value_type))
