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

`create` never creates twice: when its reply is lost the network is looked up by its name (its
ref) before any retry, and a ref conflict on a retry resolves to the network an earlier try
made; either way it is returned with ``found_existing=True``
(`fluent_sdk.helpers._common.create_once`). A name taken before the call is a `ConflictError`.

`_NetworksBase` holds the logic once, as plans (no I/O); `Networks` / `AsyncNetworks` only run
them (`fluent_sdk.helpers._common`). ``iter`` is a `Paginator` (async: `AsyncPaginator`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from pydantic import Field

from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql import AsyncPaginator, Paginator
from fluent_sdk.graphql._pagination import DEFAULT_PAGE_SIZE
from fluent_sdk.graphql._runtime import GeneratedModel
from fluent_sdk.helpers._attributes import Attributes, attributes_input
from fluent_sdk.helpers._calls import Execute, Listing, Operation, Plan, ResolveRetailer
from fluent_sdk.helpers._common import check_ref, create_and_read
from fluent_sdk.helpers._driver import AsyncHelper, Lists, SyncHelper
from fluent_sdk.helpers._models import FoundExisting, InputModel, parse_input
from fluent_sdk.helpers._platform_common import string_filters
from fluent_sdk.rest._common import IdStr

__all__ = ["AsyncNetworks", "Network", "NetworkAttribute", "Networks", "NewNetwork"]

PagesT = TypeVar("PagesT")

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


class Network(GeneratedModel, FoundExisting):
    """A network: its ref, type, status, attributes and (first 100) locations.
    ``found_existing`` is True when `Networks.create` found the network an earlier try had
    created, after a lost reply (never sent, left out of dumps)."""

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


class NewNetwork(InputModel):
    """A network to create; ``name`` becomes its ref."""

    name: str = Field(min_length=1)
    type: str | None = None
    retailer_ids: list[IdStr] | None = None
    location_ids: list[IdStr] | None = None
    location_refs: list[str] | None = None
    attributes: Attributes = None


class _NetworksBase(Lists[PagesT]):
    """No I/O: argument checks, the ``createNetwork`` input, the listing, and the plans."""

    @staticmethod
    def _new_network(network: NewNetwork | Mapping[str, Any]) -> NewNetwork:
        return parse_input(NewNetwork, network, field="network")

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

    def iter(
        self,
        *,
        ref: str | Sequence[str] | None = None,
        type: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
    ) -> PagesT:
        """Networks matching every filter given (each a value or a list of values): a
        `Paginator` (async client: an `AsyncPaginator`, ``async for``)."""
        search = Execute(
            _SEARCH_DOCUMENT, string_filters(ref=ref, type=type, status=status), _NetworksResult
        )
        return self._paginate(
            Listing(
                search, "networks", connection="networks", page_size=page_size, max_items=max_items
            )
        )

    # ---- plans --------------------------------------------------------------------------------
    def _get_plan(self, ref: Any) -> Plan[Network | None]:
        variables = {"ref": check_ref(ref, field="ref")}
        result = yield Execute(_GET_DOCUMENT, variables, model=_NetworkResult)
        network: Network | None = result.network
        return network

    def _create_plan(self, network: NewNetwork | Mapping[str, Any]) -> Plan[Network]:
        spec = self._new_network(network)
        retailer_id = None if spec.retailer_ids else (yield ResolveRetailer())
        location_ids: list[str] = []
        if spec.location_refs:
            refs = list(spec.location_refs)
            variables = {"ref": refs, "first": len(refs)}
            result = yield Execute(_LOCATION_IDS_DOCUMENT, variables, model=_LocationIdsResult)
            location_ids = self._location_ids(refs, result)
        create = Operation(
            "create_network", {"input": self._create_input(spec, retailer_id, location_ids)}
        )
        found = yield from create_and_read(
            create,
            lambda: self._get_plan(spec.name),  # the name is the network's ref
            operation="createNetwork",
        )
        return found


class Networks(SyncHelper, _NetworksBase[Paginator[Network]]):
    """``client.networks`` (see the module docstring)."""

    def get(self, ref: str) -> Network | None:
        """The network with this ref, or None."""
        return self._run(self._get_plan(ref))

    def create(self, network: NewNetwork | Mapping[str, Any]) -> Network:
        """Create a network and return it as stored; a lost reply never makes two (the one
        found is returned with ``found_existing=True``)."""
        return self._run(self._create_plan(network))


class AsyncNetworks(AsyncHelper, _NetworksBase[AsyncPaginator[Network]]):
    """The async twin of `Networks`."""

    async def get(self, ref: str) -> Network | None:
        """See `Networks.get`."""
        return await self._run(self._get_plan(ref))

    async def create(self, network: NewNetwork | Mapping[str, Any]) -> Network:
        """See `Networks.create`."""
        return await self._run(self._create_plan(network))
