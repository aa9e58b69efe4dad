"""Networks (``client.networks``): groups of locations used for sourcing.

Usage::

    network = client.networks.get("NET_ALL")             # Network or None
    network.location_refs                                 # ['LOC_MELB', 'LOC_SYD', ...]
    for network in client.networks.iter(type="CC"):
        ...
    client.networks.create(NewNetwork(name="NET_QLD", type="HD", location_refs=["LOC_BRIS"]))

Fluent takes a network's ``name`` on create and uses it as its ``ref``. ``retailer_ids``
default to the client's retailer; ``location_refs`` are looked up to ids (``location_ids`` are
used as given). Every call returns the same `Network` model (the first 100 locations are listed).

`_NetworksBase` holds the logic without I/O; `Networks` / `AsyncNetworks` only send.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from pydantic import Field, field_validator

from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql._pagination import DEFAULT_PAGE_SIZE, AsyncPaginator, Paginator
from fluent_sdk.graphql._runtime import GeneratedModel
from fluent_sdk.helpers._platform_common import (
    AttributeSpec,
    SpecModel,
    attributes_input,
    missing_result,
    normalize_attributes,
    string_filters,
    validate_spec,
)
from fluent_sdk.rest._common import AsyncNamespace, SyncNamespace

__all__ = ["AsyncNetworks", "Network", "NetworkAttribute", "Networks", "NewNetwork"]

_NETWORK_FIELDS = """
fragment NetworkSummaryFields on Network {
  id
  ref
  type
  status
  createdOn
  updatedOn
  attributes { name type value }
  locations(first: 100) { edges { node { id ref } } }
}
"""
_GET_DOCUMENT = (
    "query NetworkSummary($ref: String!) { network(ref: $ref) { ...NetworkSummaryFields } }"
    + _NETWORK_FIELDS
)
_SEARCH_DOCUMENT = (
    """
query NetworkSummariesPage($ref: [String], $type: [String], $status: [String],
                           $first: Int, $after: String) {
  networks(ref: $ref, type: $type, status: $status, first: $first, after: $after) {
    edges { cursor node { ...NetworkSummaryFields } }
    pageInfo { hasNextPage }
  }
}
"""
    + _NETWORK_FIELDS
)
_LOCATION_IDS_DOCUMENT = """
query NetworkLocationIds($ref: [String], $first: Int) {
  locations(ref: $ref, first: $first) { edges { node { id ref } } }
}
"""


class NetworkAttribute(GeneratedModel):
    name: str
    type: str | None = None
    value: Any = None


class _LocationRef(GeneratedModel):
    id: str
    ref: str | None = None


class _LocationEdge(GeneratedModel):
    node: _LocationRef | None = None


class _LocationConnection(GeneratedModel):
    edges: list[_LocationEdge | None] | None = None


class Network(GeneratedModel):
    """A network: its ref, type, status, attributes and (first 100) locations."""

    id: str
    ref: str | None = None
    type: str | None = None
    status: str | None = None
    created_on: datetime | None = None
    updated_on: datetime | None = None
    attributes: list[NetworkAttribute | None] | None = None
    locations: _LocationConnection | None = Field(default=None, repr=False)

    @property
    def location_refs(self) -> list[str]:
        edges = self.locations.edges if self.locations and self.locations.edges else []
        return [e.node.ref for e in edges if e and e.node and e.node.ref is not None]


class _NetworkEdge(GeneratedModel):
    cursor: str | None = None
    node: Network | None = None


class _PageInfo(GeneratedModel):
    has_next_page: bool | None = None


class _NetworkConnection(GeneratedModel):
    edges: list[_NetworkEdge | None] | None = None
    page_info: _PageInfo | None = None


class _NetworkResult(GeneratedModel):
    network: Network | None = None


class _NetworksResult(GeneratedModel):
    networks: _NetworkConnection | None = None


class _LocationIdsResult(GeneratedModel):
    locations: _LocationConnection | None = None


class NewNetwork(SpecModel):
    """A network to create; ``name`` becomes its ref."""

    name: str = Field(min_length=1)
    type: str | None = None
    retailer_ids: list[str] | None = None
    location_ids: list[str] | None = None
    location_refs: list[str] | None = None
    attributes: list[AttributeSpec] | None = None

    @field_validator("retailer_ids", "location_ids", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    @field_validator("attributes", mode="before")
    @classmethod
    def _accept_attribute_mapping(cls, value: Any) -> list[AttributeSpec] | None:
        return normalize_attributes(value, field="")


class _NetworksBase:
    """No I/O: argument checks, documents, the ``createNetwork`` input."""

    @staticmethod
    def _new_network(network: NewNetwork | Mapping[str, Any]) -> NewNetwork:
        return validate_spec(NewNetwork, network, field="network")

    @staticmethod
    def _check_ref(ref: Any) -> str:
        if not isinstance(ref, str) or not ref:
            raise ValidationError("ref must be a non-empty string", field="ref")
        return ref

    @staticmethod
    def _location_ids(refs: Sequence[str], result: _LocationIdsResult) -> list[str]:
        edges = result.locations.edges if result.locations and result.locations.edges else []
        found = {e.node.ref: e.node.id for e in edges if e and e.node and e.node.ref}
        missing = [ref for ref in refs if ref not in found]
        if missing:
            raise ValidationError(
                f"unknown location refs: {', '.join(missing)}", field="network.location_refs"
            )
        return [found[ref] for ref in refs]

    @staticmethod
    def _create_input(
        network: NewNetwork, retailer_id: Any, location_ids: Sequence[str]
    ) -> dict[str, Any]:
        data: dict[str, Any] = {
            "name": network.name,
            "retailers": [{"id": rid} for rid in network.retailer_ids or [str(retailer_id)]],
        }
        if network.type is not None:
            data["type"] = network.type
        ids = [*(network.location_ids or []), *location_ids]
        if ids:
            data["locations"] = [{"id": location_id} for location_id in dict.fromkeys(ids)]
        if network.attributes:
            data["attributes"] = attributes_input(network.attributes)
        return data


class Networks(SyncNamespace, _NetworksBase):
    """``client.networks`` (see the module docstring)."""

    def get(self, ref: str) -> Network | None:
        """The network with this ref, or None."""
        variables = {"ref": self._check_ref(ref)}
        return self._client.graphql.execute(_GET_DOCUMENT, variables, model=_NetworkResult).network

    def iter(
        self,
        *,
        ref: str | Sequence[str] | None = None,
        type: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
    ) -> Iterator[Network]:
        """Networks matching every filter given (each a value or a list of values)."""
        filters = string_filters(ref=ref, type=type, status=status)

        def fetch(first: int, after: str | None) -> _NetworkConnection | None:
            variables = {**filters, "first": first, "after": after}
            result = self._client.graphql.execute(
                _SEARCH_DOCUMENT, variables, model=_NetworksResult
            )
            return result.networks

        paginator: Paginator[Network] = Paginator(
            fetch, page_size=page_size, max_items=max_items, operation="networks"
        )
        return iter(paginator)

    def create(self, network: NewNetwork | Mapping[str, Any]) -> Network:
        """Create a network and return it as stored."""
        spec = self._new_network(network)
        retailer_id = self._retailer_id() if not spec.retailer_ids else None
        location_ids: list[str] = []
        if spec.location_refs:
            refs = list(spec.location_refs)
            variables = {"ref": refs, "first": len(refs)}
            result = self._client.graphql.execute(
                _LOCATION_IDS_DOCUMENT, variables, model=_LocationIdsResult
            )
            location_ids = self._location_ids(refs, result)
        self._client.graphql.create_network(
            input=self._create_input(spec, retailer_id, location_ids)
        )
        stored = self.get(spec.name)
        if stored is None:
            raise missing_result("createNetwork")
        return stored


class AsyncNetworks(AsyncNamespace, _NetworksBase):
    """The async twin of `Networks`."""

    async def get(self, ref: str) -> Network | None:
        """See `Networks.get`."""
        variables = {"ref": self._check_ref(ref)}
        result = await self._client.graphql.execute(_GET_DOCUMENT, variables, model=_NetworkResult)
        return result.network

    def iter(
        self,
        *,
        ref: str | Sequence[str] | None = None,
        type: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
    ) -> AsyncIterator[Network]:
        """See `Networks.iter` (``async for network in client.networks.iter(...)``)."""
        filters = string_filters(ref=ref, type=type, status=status)

        async def fetch(first: int, after: str | None) -> _NetworkConnection | None:
            variables = {**filters, "first": first, "after": after}
            result = await self._client.graphql.execute(
                _SEARCH_DOCUMENT, variables, model=_NetworksResult
            )
            return result.networks

        paginator: AsyncPaginator[Network] = AsyncPaginator(
            fetch, page_size=page_size, max_items=max_items, operation="networks"
        )
        return paginator.__aiter__()

    async def create(self, network: NewNetwork | Mapping[str, Any]) -> Network:
        """See `Networks.create`."""
        spec = self._new_network(network)
        retailer_id = await self._retailer_id() if not spec.retailer_ids else None
        location_ids: list[str] = []
        if spec.location_refs:
            refs = list(spec.location_refs)
            variables = {"ref": refs, "first": len(refs)}
            result = await self._client.graphql.execute(
                _LOCATION_IDS_DOCUMENT, variables, model=_LocationIdsResult
            )
            location_ids = self._location_ids(refs, result)
        await self._client.graphql.create_network(
            input=self._create_input(spec, retailer_id, location_ids)
        )
        stored = await self.get(spec.name)
        if stored is None:
            raise missing_result("createNetwork")
        return stored
