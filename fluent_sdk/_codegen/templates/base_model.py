from fluent_sdk.graphql._runtime import UNSET, GeneratedModel, UnsetType

BaseModel = GeneratedModel

__all__ = ["UNSET", "BaseModel", "UnsetType"]
