from fluent_sdk._display import ModelDisplay
from fluent_sdk.graphql._runtime import UNSET, GeneratedModel, UnsetType


class BaseModel(ModelDisplay, GeneratedModel):
    """Base of every generated model: `GeneratedModel` (parsing) plus notebook display
    (``_repr_html_``, ``to_records``, ``to_pandas``), which adds nothing to parsing."""


__all__ = ["UNSET", "BaseModel", "UnsetType"]
