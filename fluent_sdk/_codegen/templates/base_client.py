from fluent_sdk.graphql._pagination import Paginator
from fluent_sdk.graphql._runtime import OperationRunner

__all__ = ["BaseClient", "Paginator"]


class BaseClient(OperationRunner):
    """Base of the generated sync client: sends through a `FluentClient`."""

    _inputs_module = __name__.rpartition(".")[0] + ".input_types"
