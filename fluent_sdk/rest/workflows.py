"""The Workflow API (``/api/v4.1/workflow``): read and save workflow definitions.

``client.workflows`` is a `Workflows` (sync) or `AsyncWorkflows` (async).

`Workflow` is lenient and lossless: every model keeps unknown fields, and `Workflow.to_json`
writes only what was read or set, so a downloaded workflow saved unchanged is the same JSON.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pydantic
from pydantic import BaseModel, ConfigDict, Field

from fluent_sdk._types import ApiCall, AsyncRestClient, RestClient
from fluent_sdk.errors import ValidationError
from fluent_sdk.rest._common import (
    AsyncNamespace,
    IdStr,
    Plan,
    ResponseModel,
    RetailerId,
    SyncNamespace,
    check_path_segment,
    json_model_parser,
    perform,
    retailer,
    to_validation_error,
)

__all__ = [
    "AsyncWorkflows",
    "Rule",
    "Ruleset",
    "Trigger",
    "Workflow",
    "WorkflowSaved",
    "WorkflowStatus",
    "Workflows",
]

WORKFLOW_PATH = "/api/v4.1/workflow"


class _WorkflowPart(BaseModel):
    """Base of the workflow models: unknown fields kept, values never coerced.

    Strings stay strings and numbers stay numbers (``int | str`` fields), so the JSON written
    back is the JSON read.
    """

    model_config = ConfigDict(extra="allow", populate_by_name=True, defer_build=True)

    def to_dict(self) -> dict[str, Any]:
        """Fluent's JSON shape: aliases, and only the fields that were read or set."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)


class Rule(_WorkflowPart):
    """A rule in a ruleset: ``name`` is ``ACCOUNT.namespace.RuleName``."""

    name: str
    props: dict[str, Any] | None = None


class Trigger(_WorkflowPart):
    """When a ruleset may run, e.g. ``{"status": "CREATED"}``."""

    status: str | None = None


class Ruleset(_WorkflowPart):
    name: str
    description: str | None = None
    type: str | None = None
    subtype: str | None = None
    event_type: str | None = Field(default=None, alias="eventType")
    rules: list[Rule] = Field(default_factory=list)
    triggers: list[Trigger] = Field(default_factory=list)
    user_actions: list[Any] = Field(default_factory=list, alias="userActions")


class WorkflowStatus(_WorkflowPart):
    name: str
    entity_type: str | None = Field(default=None, alias="entityType")
    category: str | None = None


class Workflow(_WorkflowPart):
    """A workflow definition, e.g. ``ORDER::HD``, as Fluent stores it."""

    id: int | str | None = None
    retailer_id: int | str | None = Field(default=None, alias="retailerId")
    name: str | None = None
    version: int | float | str | None = None
    entity_type: str | None = Field(default=None, alias="entityType")
    entity_subtype: str | None = Field(default=None, alias="entitySubtype")
    description: str | None = None
    version_comment: str | None = Field(default=None, alias="versionComment")
    created_by: str | None = Field(default=None, alias="createdBy")
    created_on: str | None = Field(default=None, alias="createdOn")
    statuses: list[WorkflowStatus] = Field(default_factory=list)
    rulesets: list[Ruleset] = Field(default_factory=list)

    @classmethod
    def from_json(cls, text: str | bytes) -> Workflow:
        """A workflow from JSON text; bad JSON or shape raises `ValidationError`."""
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValidationError(f"workflow: not valid JSON ({exc})", field="workflow") from None
        return _checked_workflow(data)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Workflow:
        """Read a workflow JSON file (such as one saved by `save` or the Fluent CLI)."""
        file = Path(path)
        if not file.is_file():
            raise ValidationError(f"path: no workflow file at {file}", field="path")
        return cls.from_json(file.read_bytes())

    def to_json(self, *, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def save(self, path: str | os.PathLike[str], *, indent: int | None = 2) -> Path:
        """Write the workflow as JSON (UTF-8); returns the path written."""
        file = Path(path)
        file.write_text(self.to_json(indent=indent) + "\n", encoding="utf-8")
        return file

    def ruleset(self, name: str) -> Ruleset | None:
        """The ruleset called ``name``, if any."""
        return next((r for r in self.rulesets if r.name == name), None)


class WorkflowSaved(ResponseModel):
    """The answer to ``PUT /api/v4.1/workflow``: ``entity_id`` is
    ``{retailerId}-{workflowName}::{version}``."""

    entity_id: IdStr = Field(alias="entityId")
    event_status: str | None = Field(default=None, alias="eventStatus")

    @property
    def version(self) -> str | None:
        """The saved version, taken from the end of ``entity_id``."""
        head, sep, tail = self.entity_id.rpartition("::")
        return tail if sep and head else None


def _checked_workflow(value: Any) -> Workflow:
    if isinstance(value, Workflow):
        return value
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"workflow: expected a Workflow or a mapping, got {type(value).__name__}",
            field="workflow",
        )
    try:
        return Workflow.model_validate(dict(value))
    except pydantic.ValidationError as exc:
        raise to_validation_error(exc, prefix="workflow") from None


class _WorkflowsBase:
    """Validation, `ApiCall` building and the plans of both twins."""

    def _get_plan(
        self, entity_type: str, entity_subtype: str, retailer_id: int | str | None
    ) -> Plan[Workflow]:
        name = self._name(entity_type, entity_subtype)
        owner = yield from retailer(retailer_id)
        return (yield from perform(self._get_call(name, owner)))

    def _put_plan(self, workflow: Workflow | Mapping[str, Any]) -> Plan[WorkflowSaved]:
        checked = self._checked(workflow)
        if checked.retailer_id is None:
            checked = self._with_retailer(checked, (yield from retailer()))
        return (yield from perform(self._put_call(checked)))

    @staticmethod
    def _name(entity_type: str, entity_subtype: str) -> str:
        entity_type = check_path_segment(entity_type, field="entity_type")
        entity_subtype = check_path_segment(entity_subtype, field="entity_subtype")
        for field, value in (("entity_type", entity_type), ("entity_subtype", entity_subtype)):
            if "::" in value:
                raise ValidationError(f"{field} must not contain '::', got {value!r}", field=field)
        return f"{entity_type}::{entity_subtype}"

    @staticmethod
    def _get_call(name: str, retailer_id: RetailerId) -> ApiCall[Workflow]:
        return ApiCall(
            "GET",
            f"{WORKFLOW_PATH}/{retailer_id}/{name}",
            json_model_parser(Workflow, "workflows.get"),
            operation="workflows.get",
        )

    @staticmethod
    def _checked(workflow: Workflow | Mapping[str, Any]) -> Workflow:
        checked = _checked_workflow(workflow)
        if not checked.rulesets and not checked.name:
            raise ValidationError(
                "workflow: has neither a name nor rulesets; refusing to save an empty workflow",
                field="workflow.name",
            )
        return checked

    @staticmethod
    def _with_retailer(workflow: Workflow, retailer_id: RetailerId) -> Workflow:
        # Set through the model so exclude_unset includes it in the body.
        copy = workflow.model_copy(deep=True)
        copy.retailer_id = retailer_id
        return copy

    @staticmethod
    def _put_call(workflow: Workflow) -> ApiCall[WorkflowSaved]:
        return ApiCall(
            "PUT",
            WORKFLOW_PATH,
            json_model_parser(WorkflowSaved, "workflows.put"),
            json=workflow.to_dict(),
            operation="workflows.put",
        )


class Workflows(_WorkflowsBase, SyncNamespace[RestClient]):
    """``client.workflows``: the Workflow API, synchronously."""

    def get(
        self, entity_type: str, entity_subtype: str, *, retailer_id: int | str | None = None
    ) -> Workflow:
        """The current ``{entity_type}::{entity_subtype}`` workflow of a retailer
        (default: the client's)."""
        return self._drive(self._get_plan(entity_type, entity_subtype, retailer_id))

    def put(self, workflow: Workflow | Mapping[str, Any]) -> WorkflowSaved:
        """Create or update a workflow (validated by Fluent against the installed rules).
        A workflow without ``retailerId`` is saved for the client's retailer."""
        return self._drive(self._put_plan(workflow))


class AsyncWorkflows(_WorkflowsBase, AsyncNamespace[AsyncRestClient]):
    """``client.workflows`` on `AsyncFluentClient`: the Workflow API, awaitable."""

    async def get(
        self, entity_type: str, entity_subtype: str, *, retailer_id: int | str | None = None
    ) -> Workflow:
        return await self._drive(self._get_plan(entity_type, entity_subtype, retailer_id))

    async def put(self, workflow: Workflow | Mapping[str, Any]) -> WorkflowSaved:
        return await self._drive(self._put_plan(workflow))
