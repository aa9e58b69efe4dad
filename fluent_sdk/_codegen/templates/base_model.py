from fluent_sdk._display import ModelDisplay
from fluent_sdk.graphql._runtime import UNSET, GeneratedInput, GeneratedModel, UnsetType


class BaseModel(ModelDisplay, GeneratedModel):
    """Base of every generated result model: `GeneratedModel` (parsing) plus notebook display
    (``_repr_html_``, ``to_records``, ``to_pandas``), which adds nothing to parsing."""


class BaseInputModel(ModelDisplay, GeneratedInput):
    """Base of every generated input model: unknown keys are refused (`GeneratedInput`)."""


__all__ = ["UNSET", "BaseInputModel", "BaseModel", "UnsetType"]
