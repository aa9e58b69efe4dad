"""The code generator's tables for the tiny schema of ``test_graphql_codegen.py`` (the real ones
are ``fluent_sdk/_codegen/tables.py``): an alias of a lookup and of a paginator, and a helper
operation parsed into a hand-written model."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator

from fluent_sdk._codegen.tables import Alias, ResultModel

__all__ = ["ALIASES", "PRIVATE_PREFIX", "RESULT_MODELS", "TinyWidget"]

PRIVATE_PREFIX = "Sdk"


class TinyWidget(BaseModel):
    """A hand-written model with a convenience the generated one lacks."""

    model_config = ConfigDict(extra="ignore")

    id: str
    label: str

    @model_validator(mode="before")
    @classmethod
    def _label(cls, data: Any) -> Any:
        return {**data, "label": f"{data.get('ref')}/{data.get('kind')}"}


ALIASES = (
    Alias("widget_detail", "widget_by_id", ("id",), "a tiny reason", required=("id",)),
    Alias("iter_widgets_page", "iter_widgets", ("ref",), "another tiny reason"),
)
RESULT_MODELS = (
    ResultModel("SdkWidgetGet", "widgetById", f"{__name__}.TinyWidget", "a tiny helper model"),
)
