from fluent_sdk.graphql._pagination import AsyncPaginator
from fluent_sdk.graphql._runtime import AsyncOperationRunner

__all__ = ["AsyncBaseClient", "AsyncPaginator"]


class AsyncBaseClient(AsyncOperationRunner):
    """Base of the generated async client: sends through an `AsyncFluentClient`."""

    _inputs_module = __name__.rpartition(".")[0] + ".input_types"
