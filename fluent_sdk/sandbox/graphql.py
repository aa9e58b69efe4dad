"""Schema-driven GraphQL execution over the sandbox store.

There is no resolver per field. Every root field is resolved from the shape of the schema:

- ``<entity>ById(id)``, ``<entity>(ref)`` and composite keys (``standardProduct(ref, catalogue)``)
  are lookups: each given argument must match the stored entity (nested key objects match links).
- Fields returning a ``…Connection`` are searches: list arguments are "any of", strings accept ``%``
  wildcards, ``DateRange`` arguments bound dates, and ``first/after/last/before`` page the result.
- ``create<X>(input)`` / ``update<X>(input)`` store the input on an entity of the returned type;
  nested ``Create…Input`` values create linked entities, other key inputs must name existing ones.
- ``update<Xs>Status…(filter, input)`` bulk-update statuses; ``remove<Xs>From<Y>`` unlink entities.

A document whose complexity is above Fluent's limit (11,111) is answered with ``C0001E`` in
Fluent's error shape, by the SDK's own estimate (`fluent_sdk.graphql.complexity`).

Entity fields resolve the same way: stored scalars, stored links, ``…Ref`` strings resolved to the
entity, and connections built from stored link lists plus the entities that link back.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import datetime
from functools import cache
from typing import Any, cast

from graphql import (
    DocumentNode,
    ExecutionResult,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLError,
    GraphQLFloat,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    execute,
    get_named_type,
    parse,
    validate,
)

from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql._complexity import COMPLEXITY_LIMIT, complexity, is_connection
from fluent_sdk.graphql._complexity import is_entity as is_entity_type
from fluent_sdk.sandbox.store import Link, Record, Store

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_PAGE_SIZE",
    "GraphQLEngine",
    "SchemaModel",
    "entity_type_code",
    "fluent_error",
    "sandbox_schema",
]

DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 5000
_PAGING_ARGS = frozenset({"first", "last", "after", "before"})
_MISSING: Any = object()
# Input names that differ from the output field they fill.
_INPUT_ALIASES = {"taxType": "tax", "amount": "total", "paymentProvider": "paymentProviderName"}
_CREATE_INPUT = re.compile(r"^Create(?P<type>[A-Z][A-Za-z]*?)(?:With[A-Z][A-Za-z]*)?Input$")


def sandbox_schema() -> GraphQLSchema:
    """The schema the sandbox serves: the SDK's packaged copy."""
    from fluent_sdk._schema import load_schema

    return load_schema()


def fluent_error(code: str, message: str) -> GraphQLError:
    """A GraphQL error shaped like Fluent's: code in extensions and as the message prefix."""
    return GraphQLError(f"{code}: {message}", extensions={"code": code})


def entity_type_code(type_name: str) -> str:
    """``InventoryPosition`` -> ``INVENTORY_POSITION`` (Fluent's event entity type names)."""
    if type_name in {"StandardProduct", "VariantProduct", "GroupProduct"}:
        return "PRODUCT"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type_name).upper()


def _is_list(type_: Any) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


def _zero(type_: GraphQLOutputType) -> Any:
    """A stand-in for a missing value of a non-null field, so reads never fail on sparse data."""
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        return []
    if inner is GraphQLInt:
        return 0
    if inner is GraphQLFloat:
        return 0.0
    if inner is GraphQLBoolean:
        return False
    if isinstance(inner, GraphQLEnumType):
        return next(iter(inner.values))
    if isinstance(inner, GraphQLObjectType | GraphQLInterfaceType):
        return None
    if getattr(inner, "name", "") == "DateTime":
        return "1970-01-01T00:00:00.000Z"
    if getattr(inner, "name", "") == "Json":
        return {}
    return ""


def _parse_datetime(value: Any) -> datetime:
    if not isinstance(value, str):
        raise fluent_error("C0100E", f"Invalid UTC date '{value}'")
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise fluent_error("C0100E", f"Invalid UTC date '{value}'") from None


@functools.lru_cache(maxsize=256)
def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + ".*".join(re.escape(part) for part in pattern.split("%")) + "$", re.S)


def _scalar_matches(value: Any, pattern: Any, *, wildcard: bool) -> bool:
    if value is None or pattern is None:
        return value is None and pattern is None
    if isinstance(pattern, bool) or isinstance(value, bool):
        return value is pattern or str(value).lower() == str(pattern).lower()
    if isinstance(pattern, int | float) and isinstance(value, int | float):
        return float(value) == float(pattern)
    if wildcard and isinstance(pattern, str) and "%" in pattern:
        return _wildcard(pattern).match(str(value)) is not None
    return str(value) == str(pattern)


def _sort_key(record: Record) -> tuple[str, str, str]:
    return (str(record.get("createdOn") or ""), record["__typename"], str(record["id"]).zfill(12))


def _encode_cursor(key: tuple[str, str, str]) -> str:
    raw = json.dumps(list(key), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        created, type_name, entity_id = json.loads(base64.urlsafe_b64decode(padded))
        return (str(created), str(type_name), str(entity_id))
    except (ValueError, TypeError, binascii.Error):
        raise fluent_error("C0140E", f"Invalid cursor '{cursor}'") from None


def _page_size(args: Mapping[str, Any], name: str) -> int | None:
    value = args.get(name)
    if value is None:
        return None
    if value < 0:
        raise fluent_error("C0140E", f"'{name}' must not be negative")
    return min(int(value), MAX_PAGE_SIZE)


def paginate(
    records: list[Record], args: Mapping[str, Any], *, descending: bool
) -> tuple[list[Record], bool, bool]:
    """Sort, then apply Relay paging; returns (page, hasPreviousPage, hasNextPage)."""
    records = sorted(records, key=_sort_key, reverse=descending)
    keys = [_sort_key(record) for record in records]

    def past(key: tuple[str, str, str], cursor: tuple[str, str, str]) -> bool:
        return key < cursor if descending else key > cursor

    start, end = 0, len(records)
    if args.get("after"):
        cursor = _decode_cursor(args["after"])
        start = next((i for i, key in enumerate(keys) if past(key, cursor)), len(records))
    if args.get("before"):
        cursor = _decode_cursor(args["before"])
        end = next((i for i, key in enumerate(keys) if not past(cursor, key)), len(records))
        end = max(end, start)
    first, last = _page_size(args, "first"), _page_size(args, "last")
    if first is None and last is None:
        first = DEFAULT_PAGE_SIZE
    if first is not None:
        end = min(end, start + first)
    if last is not None:
        start = max(start, end - last)
    return records[start:end], start > 0, end < len(records)


def connection(
    page: list[Record], has_previous: bool, has_next: bool, cursors: list[str] | None = None
) -> Record:
    keys = cursors or [_encode_cursor(_sort_key(record)) for record in page]
    return {
        "edges": [{"cursor": key, "node": record} for key, record in zip(keys, page, strict=True)],
        "pageInfo": {"hasPreviousPage": has_previous, "hasNextPage": has_next},
    }


class SchemaModel:
    """Facts derived once from the schema: entity types, connections, uniqueness scopes."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        assert schema.query_type is not None
        assert schema.mutation_type is not None
        self.query: GraphQLObjectType = schema.query_type
        self.mutation: GraphQLObjectType = schema.mutation_type
        self.objects: dict[str, GraphQLObjectType] = {
            name: type_
            for name, type_ in schema.type_map.items()
            if isinstance(type_, GraphQLObjectType) and not name.startswith("__")
        }
        self._impls: dict[str, list[str]] = {}
        for name, type_ in schema.type_map.items():
            if isinstance(type_, GraphQLInterfaceType):
                self._impls[name] = [o.name for o in schema.get_possible_types(type_)]
        self.by_entity_code: dict[str, str] = {}
        for name in self.objects:
            if self.is_entity(name):
                self.by_entity_code.setdefault(entity_type_code(name), name)
        self.by_entity_code["PRODUCT"] = "StandardProduct"
        # A ref is unique wherever the schema offers a lookup by ref; the lookup's other
        # arguments (catalogue, retailer…) scope it and an interface lookup shares one namespace.
        self.unique: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        for field in self.query.fields.values():
            target = get_named_type(field.type)
            if "ref" not in field.args or not self.is_entity(target.name):
                continue
            scope = tuple(a for a in field.args if a not in {"ref", "id"})
            group = tuple(self.impls(target.name))
            for member in group:
                known = self.unique.get(member)
                if known is None or len(group) > len(known[0]):
                    self.unique[member] = (group, scope)

        self._ref_links: dict[str, tuple[tuple[str, str, str, bool], ...]] = {}
        self._plain: dict[str, frozenset[str]] = {}

    def impls(self, name: str) -> list[str]:
        return self._impls.get(name, [name])

    def ref_links(self, name: str) -> tuple[tuple[str, str, str, bool], ...]:
        """(field, ``<field>Ref``, target entity, non-null) of the single entity fields an
        ``<field>Ref`` string can fill."""
        known = self._ref_links.get(name)
        if known is None:
            known = tuple(
                (
                    field_name,
                    field_name + "Ref",
                    get_named_type(field.type).name,
                    isinstance(field.type, GraphQLNonNull),
                )
                for field_name, field in self.fields_of(name).items()
                if not _is_list(field.type) and self.is_entity(get_named_type(field.type).name)
            )
            self._ref_links[name] = known
        return known

    def plain_inputs(self, name: str) -> frozenset[str]:
        """Fields an update stores as given: scalars and enums (no links, no value objects)."""
        known = self._plain.get(name)
        if known is None:
            known = frozenset(
                field_name
                for field_name, field in self.fields_of(name).items()
                if not isinstance(
                    get_named_type(field.type), GraphQLObjectType | GraphQLInterfaceType
                )
                and field_name not in _INPUT_ALIASES
                and field_name != "password"
            )
            self._plain[name] = known
        return known

    def is_plain_update(self, name: str, changes: Mapping[str, Any]) -> bool:
        """Whether ``update_record`` may store ``changes`` without the generic conversion."""
        plain = self.plain_inputs(name)
        fields = self.fields_of(name)
        for key, value in changes.items():
            if key in plain:
                pass
            elif key in fields or key in _INPUT_ALIASES or key == "password":
                return False
            if _has_link(value):
                return False
        return True

    def is_entity(self, name: str) -> bool:
        # Entities have `id: ID!`; link value objects such as RetailerLink carry a nullable id.
        return is_entity_type(self.schema.type_map.get(name)) and not name.startswith("__")

    def connection_node(self, type_: GraphQLNamedType) -> GraphQLNamedType | None:
        """The node type of a Relay connection (`is_connection`, as the complexity estimate
        reads one), else None."""
        if not is_connection(type_):
            return None
        edge = get_named_type(cast(GraphQLObjectType, type_).fields["edges"].type)
        node: GraphQLNamedType = get_named_type(edge.fields["node"].type)
        return node

    def fields_of(self, name: str) -> Mapping[str, Any]:
        type_ = self.schema.type_map.get(name)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            fields: Mapping[str, Any] = type_.fields
            return fields
        return {}

    def singular(self, plural: str) -> str | None:
        for candidate in (plural[:-3] + "y", plural[:-2], plural[:-1], plural):
            if candidate in self.objects:
                return candidate
        return None


@cache
def _model_for(schema: GraphQLSchema) -> SchemaModel:
    return SchemaModel(schema)


class GraphQLEngine:
    """Executes GraphQL documents against a :class:`Store` with convention-based resolvers."""

    def __init__(self, store: Store, schema: GraphQLSchema | None = None) -> None:
        self.store = store
        self.schema = schema if schema is not None else sandbox_schema()
        self.model = _model_for(self.schema)
        self._documents: OrderedDict[str, DocumentNode | list[GraphQLError]] = OrderedDict()
        # Hooks other modules (events) plug in to observe entity creation.
        self.on_create: list[Any] = []
        # Entities created by the running mutation, by (type, ref): nested refs resolve to
        # siblings first (two orders may both have a fulfilment choice "FC-1").
        self._local: dict[tuple[str, str], Link] = {}

    # ---- HTTP-facing entry point ---------------------------------------------------------
    def execute(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        operation_name: str | None = None,
        *,
        username: str | None = None,
    ) -> dict[str, Any]:
        document = self._document(query)
        if isinstance(document, list):
            return {"errors": [error.formatted for error in document]}
        too_complex = self._complexity_error(document, variables, operation_name)
        if too_complex is not None:
            return {"errors": [too_complex.formatted], "data": None}
        with self.store.lock:
            result = execute(
                self.schema,
                document,
                context_value={"username": username},
                variable_values=dict(variables) if variables else None,
                operation_name=operation_name,
                field_resolver=self._resolve,
            )
        if not isinstance(result, ExecutionResult):  # pragma: no cover - resolvers are synchronous
            raise TypeError("sandbox resolvers must be synchronous")
        return dict(result.formatted)

    def _complexity_error(
        self,
        document: DocumentNode,
        variables: Mapping[str, Any] | None,
        operation_name: str | None,
    ) -> GraphQLError | None:
        """Fluent's ``C0001E`` for a document above its complexity limit, by the SDK's estimate
        (`fluent_sdk.graphql.complexity`)."""
        try:
            estimate = complexity(
                document, variables, operation_name=operation_name, schema=self.schema
            )
        except ValidationError:
            return None  # no such operation: execution reports it
        if estimate <= COMPLEXITY_LIMIT:
            return None
        return fluent_error(
            "C0001E",
            f"Query complexity {estimate:,} exceeds the maximum of {COMPLEXITY_LIMIT:,} "
            "(the sandbox uses the SDK's estimate: fluent_sdk.graphql.complexity)",
        )

    def _document(self, query: str) -> DocumentNode | list[GraphQLError]:
        cached = self._documents.get(query)
        if cached is not None:
            self._documents.move_to_end(query)
            return cached
        try:
            document: DocumentNode | list[GraphQLError] = parse(query)
        except GraphQLError as error:
            document = [error]
        if not isinstance(document, list):
            errors = validate(self.schema, document)
            if errors:
                document = list(errors)
        self._documents[query] = document
        if len(self._documents) > 512:
            self._documents.popitem(last=False)
        return document

    # ---- field resolution ----------------------------------------------------------------
    def _resolve(self, source: Any, info: GraphQLResolveInfo, **args: Any) -> Any:
        parent = info.parent_type
        if parent is self.model.query:
            return self._root_query(info.field_name, args, info)
        if parent is self.model.mutation:
            return self._root_mutation(info.field_name, args)
        if not isinstance(source, dict):
            return getattr(source, info.field_name, None)
        return self.resolve_field(source, parent.name, info.field_name, info.return_type, args)

    def resolve_field(
        self,
        record: Record,
        type_name: str,
        field_name: str,
        return_type: GraphQLOutputType,
        args: Mapping[str, Any],
    ) -> Any:
        named = get_named_type(return_type)
        node = self.model.connection_node(named)
        if node is not None and "__typename" in record and "id" in record:
            return self._nested_connection(record, field_name, node, args)
        value = self.materialize(self.field_value(record, type_name, field_name))
        if value is None and isinstance(return_type, GraphQLNonNull):
            return _zero(return_type)
        return value

    def materialize(self, value: Any) -> Any:
        if isinstance(value, Link):
            return self.store.deref(value)
        if isinstance(value, list):
            return [self.materialize(item) for item in value]
        return value

    def field_value(self, record: Record, type_name: str | None, field_name: str) -> Any:
        """The stored or derived value of ``field_name`` (links left unresolved)."""
        if field_name in record:
            return record[field_name]
        fields = self.model.fields_of(type_name) if type_name else {}
        field = fields.get(field_name)
        if field is None:
            return None
        target = get_named_type(field.type)
        if field_name == "workflow" and "workflowRef" in record:
            return {"ref": record.get("workflowRef"), "version": record.get("workflowVersion")}
        if isinstance(target, GraphQLObjectType) and not self.model.is_entity(target.name):
            # xLink value objects ({ref}, {id}) mirror the linked entity x.
            base = field_name[:-4] if field_name.endswith("Link") else field_name
            linked = record.get(base)
            if isinstance(linked, Link):
                entity = self.store.deref(linked)
                if entity is not None:
                    return {name: entity.get(name) for name in target.fields if name in entity}
            return None
        if self.model.is_entity(target.name) and not _is_list(field.type):
            ref = record.get(field_name + "Ref")
            if isinstance(ref, str):
                found = self._find_by_ref(target.name, ref, record)
                if found is not None:
                    return Link(found["__typename"], str(found["id"]))
            return self._single_backref(record, target.name)
        return None

    def _find_by_ref(self, target: str, ref: str, record: Record) -> Record | None:
        if target == "StoreAddress":
            # Inventory positions name a location; their `location` is its primary address.
            for location in self.store.by_ref("Location", ref):
                address = location.get("primaryAddress")
                if isinstance(address, Link):
                    return self.store.deref(address)
        for type_name in self.model.impls(target):
            local = self._local.get((type_name, ref))
            if local is not None:
                return self.store.deref(local)
        catalogue_ref = record.get("productCatalogueRef") if target == "Product" else None
        for type_name in self.model.impls(target):
            for candidate in self.store.by_ref(type_name, ref):
                if catalogue_ref is None or self._catalogue_ref(candidate) == catalogue_ref:
                    return candidate
        return None

    def _catalogue_ref(self, record: Record) -> str | None:
        catalogue = record.get("catalogue")
        entity = self.store.deref(catalogue) if isinstance(catalogue, Link) else None
        return None if entity is None else entity.get("ref")

    def _single_backref(self, record: Record, target: str) -> Link | None:
        if "__typename" not in record or "id" not in record:
            return None
        owners = self.model.impls(target)
        for type_name, entity_id, _field in sorted(
            self.store.backrefs(Link(record["__typename"], str(record["id"])))
        ):
            if type_name in owners:
                return Link(type_name, entity_id)
        return None

    def _related(self, record: Record, field_name: str, node: str) -> list[Record]:
        """Entities of a connection field: stored links plus entities linking back."""
        members = set(self.model.impls(node))
        found: dict[tuple[str, str], Record] = {}
        stored = record.get(field_name)
        if isinstance(stored, list):
            for item in stored:
                entity = self.store.deref(item) if isinstance(item, Link) else None
                if entity is not None:
                    found[(entity["__typename"], str(entity["id"]))] = entity
        me = Link(record["__typename"], str(record["id"]))
        for type_name, entity_id, via in self.store.backrefs(me):
            if type_name not in members or (type_name == me.type and via == field_name):
                continue  # a self-relation's own list points down, not back up
            via_field = self.model.fields_of(type_name).get(via)
            if via_field is None:
                continue
            entity = self.store.get(type_name, entity_id)
            if entity is not None:
                found[(type_name, entity_id)] = entity
        return list(found.values())

    def _nested_connection(
        self, record: Record, field_name: str, node: GraphQLNamedType, args: Mapping[str, Any]
    ) -> Record:
        filters = {k: v for k, v in args.items() if k not in _PAGING_ARGS and v is not None}
        candidates = [
            entity
            for entity in self._related(record, field_name, node.name)
            if self.matches(entity, entity["__typename"], filters)
        ]
        return connection(*paginate(candidates, args, descending=False))

    # ---- matching ------------------------------------------------------------------------
    def filter_value(self, record: Record, type_name: str | None, name: str) -> Any:
        fields = self.model.fields_of(type_name) if type_name else {}
        if name in fields or name in record:
            return self.field_value(record, type_name, name)
        if name == "workflow":
            return {"ref": record.get("workflowRef"), "version": record.get("workflowVersion")}
        for suffix, attribute in (("Id", "id"), ("Ref", "ref")):
            base = name[: -len(suffix)]
            if name.endswith(suffix) and base in fields:
                linked = self.materialize(self.field_value(record, type_name, base))
                return linked.get(attribute) if isinstance(linked, dict) else None
        return _MISSING

    def matches(self, record: Record, type_name: str | None, filters: Mapping[str, Any]) -> bool:
        """Whether ``record`` passes a query's ``filters`` (``%`` wildcards allowed)."""
        return self._all_match(record, type_name, filters, query=True)

    def key_matches(self, record: Record, type_name: str | None, key: Mapping[str, Any]) -> bool:
        """Whether ``record`` has the lookup ``key`` (exactly; a part it lacks must be None)."""
        return self._all_match(record, type_name, key, query=False)

    def _all_match(
        self, record: Record, type_name: str | None, wanted: Mapping[str, Any], *, query: bool
    ) -> bool:
        for name, value_wanted in wanted.items():
            if value_wanted is None:
                continue
            value = self.filter_value(record, type_name, name)
            if value is _MISSING:
                if query:
                    continue  # a filter this sandbox cannot evaluate narrows nothing
                value = None
            if not self._value_matches(value, value_wanted, wildcard=query):
                return False
        return True

    def _value_matches(self, value: Any, wanted: Any, *, wildcard: bool) -> bool:
        if isinstance(wanted, dict) and set(wanted) <= {"from", "to"} and not _has_link(value):
            return self._in_range(value, wanted)
        if isinstance(wanted, list):
            return any(self._value_matches(value, item, wildcard=wildcard) for item in wanted)
        if isinstance(value, list):
            return any(self._value_matches(item, wanted, wildcard=wildcard) for item in value)
        if isinstance(wanted, dict):
            target = self.materialize(value)
            if not isinstance(target, dict):
                return False
            return self.key_matches(target, target.get("__typename"), wanted)
        if isinstance(value, Link):
            value = value.id
        return _scalar_matches(value, wanted, wildcard=wildcard)

    def _in_range(self, value: Any, bounds: Mapping[str, Any]) -> bool:
        if bounds.get("from") is None and bounds.get("to") is None:
            raise fluent_error("C0101E", "A date range needs 'from' or 'to'")
        low = _parse_datetime(bounds["from"]) if bounds.get("from") is not None else None
        high = _parse_datetime(bounds["to"]) if bounds.get("to") is not None else None
        if value is None:
            return False
        moment = _parse_datetime(value)
        return (low is None or moment >= low) and (high is None or moment <= high)

    def find(self, type_name: str, key: Mapping[str, Any]) -> Record | None:
        """The entity of ``type_name`` (or one implementing it) matching every given key part."""
        key = {k: v for k, v in key.items() if v is not None}
        if not key:
            return None
        for member in self.model.impls(type_name):
            candidates: Iterable[Record | None]
            if "id" in key:
                candidates = [self.store.get(member, str(key["id"]))]
            elif isinstance(key.get("ref"), str) and "%" not in key["ref"]:
                candidates = self.store.by_ref(member, key["ref"])
            else:
                candidates = list(self.store.all(member))
            for candidate in candidates:
                if candidate is not None and self.key_matches(candidate, member, key):
                    return candidate
        return None

    def search(self, type_name: str, filters: Mapping[str, Any]) -> list[Record]:
        filters = {k: v for k, v in filters.items() if v is not None}
        found: list[Record] = []
        for member in self.model.impls(type_name):
            ref = filters.get("ref")
            if isinstance(ref, str) and "%" not in ref:
                pool: Iterable[Record] = self.store.by_ref(member, ref)
            else:
                pool = self.store.all(member)
            found.extend(record for record in pool if self.matches(record, member, filters))
        return found

    # ---- root queries --------------------------------------------------------------------
    def _root_query(self, name: str, args: dict[str, Any], info: GraphQLResolveInfo) -> Any:
        field = self.model.query.fields[name]
        named = get_named_type(field.type)
        if name == "me":
            username = info.context.get("username") if isinstance(info.context, dict) else None
            return self.find("User", {"username": username}) if username else None
        if name == "searchVirtualInventory":
            return self._virtual_inventory(args)
        if named.name.endswith("AggregateOutput"):
            return self._aggregate(named.name.removesuffix("AggregateOutput"), args)
        node = self.model.connection_node(named)
        if node is not None:
            filters = {k: v for k, v in args.items() if k not in _PAGING_ARGS}
            return connection(*paginate(self.search(node.name, filters), args, descending=True))
        return self.find(named.name, args)

    def _aggregate(self, type_name: str, args: Mapping[str, Any]) -> Record:
        records = self.search(type_name, args)
        measure = "onHand" if type_name == "InventoryPosition" else "quantity"
        total = sum(int(record.get(measure) or 0) for record in records)
        return {"sum": total, "count": len(records)}

    def _virtual_inventory(self, args: Mapping[str, Any]) -> Record:
        catalogue = self.find("VirtualCatalogue", args["virtualCatalogue"])
        wanted = {item["productRef"]: item["quantity"] for item in args["productQuantities"]}
        excluded = set(args.get("excludedLocationRefs") or [])
        groups: dict[str, list[Record]] = {}
        if catalogue is not None:
            for position in self.search("VirtualPosition", {"catalogue": {"id": catalogue["id"]}}):
                if (
                    position.get("productRef") in wanted
                    and position.get("groupRef") not in excluded
                ):
                    groups.setdefault(str(position.get("groupRef")), []).append(position)
        nodes: list[Record] = []
        for group, positions in sorted(groups.items()):
            have = {p["productRef"]: int(p.get("quantity") or 0) for p in positions}
            if all(have.get(ref, 0) >= int(qty or 0) for ref, qty in wanted.items()):
                location = self.find("Location", {"ref": group})
                nodes.append({"location": location, "virtualPositions": positions})
        limit = min(_page_size(args, "first") or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
        page = nodes[:limit]
        cursors = [_encode_cursor(("", "VirtualInventory", str(i))) for i in range(len(page))]
        return connection(page, False, len(nodes) > limit, cursors)

    # ---- mutations -----------------------------------------------------------------------
    def _root_mutation(self, name: str, args: dict[str, Any]) -> Any:
        with self.store.lock:
            self.store.begin()
            self._local = {}
            try:
                result = self.mutate(name, args)
            except BaseException:
                self.store.rollback()
                raise
            self.store.commit()
            return result

    def mutate(self, name: str, args: Mapping[str, Any]) -> Any:
        field = self.model.mutation.fields[name]
        returns = get_named_type(field.type).name
        if name.startswith("remove"):
            return self._remove_links(name, self._input(args, name), field.args["input"].type)
        if name.startswith("update") and "filter" in args:
            return self._bulk_status(name, args)
        input_type = get_named_type(field.args["input"].type)
        assert isinstance(input_type, GraphQLInputObjectType)
        if name.startswith("create"):
            return self.create(returns, self._input(args, name), input_type)
        if name.startswith("update"):
            return self.update(returns, self._input(args, name), input_type)
        raise fluent_error("C0140E", f"Mutation '{name}' is not supported by the sandbox")

    @staticmethod
    def _input(args: Mapping[str, Any], name: str) -> dict[str, Any]:
        value = args.get("input")
        if value is None:
            raise fluent_error("C0140E", f"'input' is required for {name}")
        return cast(dict[str, Any], value)

    def create(
        self,
        type_name: str,
        data: Mapping[str, Any],
        input_type: GraphQLInputObjectType | None = None,
        *,
        parent: Link | None = None,
    ) -> Record:
        """Store a new ``type_name`` entity from a create input (nested creates included)."""
        entity_id = self.store.next_id(type_name)
        record: Record = {"__typename": type_name, "id": entity_id}
        self._apply(type_name, record, data, input_type, creating=True)
        fields = self.model.fields_of(type_name)
        if parent is not None:
            for name, field in fields.items():
                target = get_named_type(field.type)
                if (
                    record.get(name) is None
                    and not _is_list(field.type)
                    and parent.type in self.model.impls(target.name)
                ):
                    record[name] = parent
                    break
        self._defaults(type_name, record)
        if parent is None:
            self._check_unique(record)
        self.store.put(record)
        if isinstance(record.get("ref"), str):
            self._local[(type_name, record["ref"])] = Link(type_name, entity_id)
        for hook in self.on_create:
            hook(record)
        return record

    def new_entity(
        self, type_name: str, fields: Mapping[str, Any], *, emit: bool = False
    ) -> Record:
        """Store an entity from already-converted fields (links as :class:`Link`), with defaults."""
        record: Record = {"__typename": type_name, "id": self.store.next_id(type_name), **fields}
        self._defaults(type_name, record)
        self.store.put(record)
        if emit:
            for hook in self.on_create:
                hook(record)
        return record

    def update(
        self,
        type_name: str,
        data: Mapping[str, Any],
        input_type: GraphQLInputObjectType | None = None,
    ) -> Record:
        target = self._update_target(type_name, data)
        unique = self.model.unique.get(target["__typename"], ((), ()))[1]
        key_names = {"id", "ref", *unique} if data.get("id") is None else {"id"}
        changes = {k: v for k, v in data.items() if k not in key_names}
        return self.update_record(target, changes, input_type)

    def update_record(
        self,
        target: Record,
        changes: Mapping[str, Any],
        input_type: GraphQLInputObjectType | None = None,
    ) -> Record:
        type_name = target["__typename"]
        if self.model.is_plain_update(type_name, changes):
            return self._update_plain(target, type_name, changes)
        record = dict(target)
        self._apply(type_name, record, changes, input_type, creating=False)
        if "updatedOn" in self.model.fields_of(type_name):
            record["updatedOn"] = self.store.now_iso()
        self._check_unique(record)
        return self.store.put(record)

    def _update_plain(self, target: Record, type_name: str, changes: Mapping[str, Any]) -> Record:
        """``update_record`` for scalar changes: what ``_apply`` would do, minus the generic
        conversion, and no re-indexing when neither the ref nor a link changed."""
        record = dict(target)
        record.update(changes)
        relinked = self.link_refs(type_name, record, changes)
        if "updatedOn" in self.model.fields_of(type_name):
            record["updatedOn"] = self.store.now_iso()
        self._check_unique(record)
        if relinked or record.get("ref") != target.get("ref"):
            return self.store.put(record)
        return self.store.replace(target, record)

    def link_refs(self, type_name: str, record: Record, data: Mapping[str, Any]) -> bool:
        """Link ``xRef`` strings now, so connections see them (an item's fulfilmentChoiceRef);
        a non-null target (OrderItem.product) must exist. True when a link was (re)set."""
        relinked = False
        for name, ref_name, target, required in self.model.ref_links(type_name):
            ref = record.get(ref_name)
            if not isinstance(ref, str):
                continue
            if record.get(name) is not None and ref_name not in data:
                continue
            found = self._find_by_ref(target, ref, record)
            if found is not None:
                record[name] = Link(found["__typename"], str(found["id"]))
                relinked = True
            elif required:
                key = {"ref": ref, "catalogue": record.get("productCatalogueRef")}
                raise self._not_found(target, key)
        return relinked

    def _update_target(self, type_name: str, data: Mapping[str, Any]) -> Record:
        if data.get("id") is not None:
            key: dict[str, Any] = {"id": data["id"]}
        else:
            scope = self.model.unique.get(type_name, ((), ()))[1]
            key = {k: data.get(k) for k in ("ref", *scope) if data.get(k) is not None}
        target = self.find(type_name, key) if key else None
        if target is None:
            raise self._not_found(type_name, key)
        return target

    def _not_found(self, type_name: str, key: Mapping[str, Any]) -> GraphQLError:
        return fluent_error("C0120E", f"{type_name} with key {_describe(key)} not found")

    def _apply(
        self,
        type_name: str,
        record: Record,
        data: Mapping[str, Any],
        input_type: GraphQLInputObjectType | None,
        *,
        creating: bool,
    ) -> None:
        fields = self.model.fields_of(type_name)
        owner = Link(type_name, str(record["id"]))
        for name, value in data.items():
            if name == "password":
                record["_password"] = value  # kept for sign-in, never a schema field
                continue
            target_name = name if name in fields else _INPUT_ALIASES.get(name, "")
            if target_name not in fields:
                record[name] = value  # e.g. productRef: kept raw, resolved when read
                continue
            if value is None:
                record[target_name] = None
                continue
            field_type = fields[target_name].type
            target = get_named_type(field_type)
            input_named = (
                get_named_type(input_type.fields[name].type)
                if input_type is not None and name in input_type.fields
                else None
            )
            node = self.model.connection_node(target)
            if node is not None or (self.model.is_entity(target.name) and _is_list(field_type)):
                element = node.name if node is not None else target.name
                links = [
                    self._link_for(element, item, input_named, owner)
                    for item in (value if isinstance(value, list) else [value])
                    if item is not None
                ]
                existing = [] if creating else list(record.get(target_name) or [])
                record[target_name] = existing + [link for link in links if link not in existing]
            elif self.model.is_entity(target.name):
                current = record.get(target_name)
                record[target_name] = self._link_for(
                    target.name,
                    value,
                    input_named,
                    owner,
                    current if isinstance(current, Link) else None,
                )
            elif isinstance(target, GraphQLObjectType):
                converted = self._value_object(target, value)
                if not creating and target_name in {"attributes", "prices", "values"}:
                    converted = _upsert(record.get(target_name), converted, target_name)
                record[target_name] = converted
            else:
                record[target_name] = value
        self.link_refs(type_name, record, data)

    def _link_for(
        self,
        target: str,
        value: Any,
        input_named: GraphQLNamedType | None,
        owner: Link,
        current: Link | None = None,
    ) -> Link:
        input_name = input_named.name if input_named is not None else ""
        input_object = input_named if isinstance(input_named, GraphQLInputObjectType) else None
        if input_name.startswith("Create"):
            match = _CREATE_INPUT.match(input_name)
            created_type = match.group("type") if match else ""
            if created_type not in self.model.impls(target) or not self.model.is_entity(
                created_type
            ):
                created_type = self.model.impls(target)[0]
            child = self.create(created_type, value, input_object, parent=owner)
            return Link(created_type, str(child["id"]))
        if input_name.startswith("Update"):
            existing = self.find(target, {"id": value["id"]}) if value.get("id") else None
            if existing is None and current is not None:
                existing = self.store.deref(current)
            if existing is None:
                raise self._not_found(target, {"id": value.get("id")})
            changes = {k: v for k, v in value.items() if k != "id"}
            updated = self.update_record(existing, changes, input_object)
            return Link(updated["__typename"], str(updated["id"]))
        found = self.find(target, value)
        if found is None:
            raise self._not_found(target, value)
        return Link(found["__typename"], str(found["id"]))

    def _value_object(self, type_: GraphQLObjectType, value: Any) -> Any:
        if isinstance(value, list):
            return [self._value_object(type_, item) for item in value]
        if not isinstance(value, dict):
            return value
        converted: Record = {}
        for name, item in value.items():
            field = type_.fields.get(name)
            target = get_named_type(field.type) if field is not None else None
            if target is not None and item is not None and self.model.is_entity(target.name):
                if _is_list(field.type if field is not None else None):
                    converted[name] = [
                        self._link_for(target.name, i, None, Link("", "")) for i in item
                    ]
                else:
                    converted[name] = self._link_for(target.name, item, None, Link("", ""))
            elif isinstance(target, GraphQLObjectType) and item is not None:
                converted[name] = self._value_object(target, item)
            else:
                converted[name] = item
        return converted

    def _defaults(self, type_name: str, record: Record) -> None:
        fields = self.model.fields_of(type_name)
        now = self.store.now_iso()
        for name in ("createdOn", "updatedOn"):
            if name in fields:
                record[name] = now
        if "status" in fields and record.get("status") is None:
            record["status"] = "CREATED"
        if "ref" in fields and record.get("ref") is None:
            fallback = record.get("username") or record.get("name")
            if fallback is not None:
                record["ref"] = fallback
        if "workflowRef" in fields and record.get("workflowRef") is None:
            record["workflowRef"] = self.workflow_ref(type_name, record)
        if "workflowVersion" in fields and record.get("workflowVersion") is None:
            record["workflowVersion"] = self._workflow_version(record)

    def workflow_ref(self, type_name: str, record: Record) -> str:
        catalogue = record.get("catalogue")
        parent = self.store.deref(catalogue) if isinstance(catalogue, Link) else None
        if parent is not None:
            return f"{entity_type_code(parent['__typename'])}::{parent.get('type') or 'DEFAULT'}"
        return f"{entity_type_code(type_name)}::{record.get('type') or 'DEFAULT'}"

    def _workflow_version(self, record: Record) -> int:
        retailer = record.get("retailer")
        retailer_id = retailer.id if isinstance(retailer, Link) else "1"
        versions = self.store.workflows.get((retailer_id, str(record.get("workflowRef"))))
        return int(versions[-1]["version"]) if versions else 1

    def _check_unique(self, record: Record) -> None:
        type_name = record["__typename"]
        if type_name == "Setting":
            self._check_unique_setting(record)
        ref = record.get("ref")
        rule = self.model.unique.get(type_name)
        if rule is None or not isinstance(ref, str):
            return
        group, scope = rule
        for member in group:
            for other in self.store.by_ref(member, ref):
                if member == type_name and str(other["id"]) == str(record["id"]):
                    continue
                if all(other.get(name) == record.get(name) for name in scope):
                    raise fluent_error("C0121E", f"{type_name} with ref '{ref}' already exists")

    def _check_unique_setting(self, record: Record) -> None:
        for other in self.store.all("Setting"):
            if str(other["id"]) != str(record["id"]) and all(
                str(other.get(k)) == str(record.get(k)) for k in ("name", "context", "contextId")
            ):
                raise fluent_error(
                    "C0121E",
                    f"Setting '{record.get('name')}' already exists for context "
                    f"{record.get('context')}:{record.get('contextId')}",
                )

    def _bulk_status(self, name: str, args: Mapping[str, Any]) -> Record:
        match = re.match(r"^update(?P<plural>[A-Z]\w*?)Status(?:By\w+)?$", name)
        type_name = self.model.singular(match.group("plural")) if match else None
        if type_name is None:
            raise fluent_error("C0140E", f"Mutation '{name}' is not supported by the sandbox")
        status = (args.get("input") or {}).get("status")
        targets = self.search(type_name, args.get("filter") or {})
        for record in targets:
            self.update_record(record, {"status": status})
        return {"count": len(targets)}

    def _remove_links(self, name: str, data: Mapping[str, Any], input_type: Any) -> Record:
        match = re.match(r"^remove(?P<items>[A-Z]\w*?)From(?P<owner>[A-Z]\w*)$", name)
        input_object = get_named_type(input_type)
        if match is None or not isinstance(input_object, GraphQLInputObjectType):
            raise fluent_error("C0140E", f"Mutation '{name}' is not supported by the sandbox")
        owner_type = match.group("owner")
        owner_field = owner_type[0].lower() + owner_type[1:]
        list_field = next(n for n in input_object.fields if n != owner_field)
        owner = self.find(owner_type, data[owner_field])
        if owner is None:
            raise self._not_found(owner_type, data[owner_field])
        keys: list[Mapping[str, Any]] = list(data[list_field] or [])
        owner_link = Link(owner["__typename"], str(owner["id"]))

        def listed(item: Any) -> bool:
            target = self.materialize(item)
            return isinstance(target, dict) and any(
                self.key_matches(target, target.get("__typename"), key) for key in keys
            )

        kept = [item for item in owner.get(list_field) or [] if not listed(item)]
        self.update_record(owner, {list_field: None}, None)
        updated = dict(self.store.get(owner_link.type, owner_link.id) or owner)
        updated[list_field] = kept
        self.store.put(updated)
        # The link may be stored on the other side instead (location.networks vs network.locations).
        for type_name, entity_id, via in list(self.store.backrefs(owner_link)):
            other = self.store.get(type_name, entity_id)
            if other is None or not any(self.key_matches(other, type_name, k) for k in keys):
                continue
            value = other.get(via)
            changed = dict(other)
            changed[via] = (
                [v for v in value if v != owner_link] if isinstance(value, list) else None
            )
            self.store.put(changed)
        return {"status": "SUCCESS"}


def _has_link(value: Any) -> bool:
    return isinstance(value, Link) or (
        isinstance(value, list) and any(isinstance(v, Link) for v in value)
    )


def _upsert(existing: Any, incoming: Any, field_name: str) -> Any:
    """Fluent merges attributes by name and prices by type+currency on update."""
    if not isinstance(existing, list) or not isinstance(incoming, list):
        return incoming

    def identity(item: Any) -> Any:
        if not isinstance(item, dict):
            return item
        if field_name == "prices":
            return (item.get("type"), item.get("currency"))
        return item.get("name")

    merged = {identity(item): item for item in existing}
    for item in incoming:
        merged[identity(item)] = item
    return list(merged.values())


def _describe(key: Mapping[str, Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, Link):
            return {"id": value.id}
        if isinstance(value, Mapping):
            return {k: plain(v) for k, v in value.items() if v is not None}
        return value

    return json.dumps(plain(key), sort_keys=True, default=str)
