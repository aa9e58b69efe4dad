"""What the code generator is told beyond the documents, as data, each entry with its reason.

- `ALIASES`: deprecated method names kept on both generated clients. Each one warns
  (`DeprecationWarning`, only when called from outside ``fluent_sdk``) and calls its target with
  the same arguments; its signature is the old one (``parameters`` in their old order, typed
  like the target's, ``required`` ones without a default; an ``iter_`` alias also takes
  ``page_size`` / ``max_items`` / ``after``).
- `RESULT_MODELS`: where a helper operation's result is parsed straight into a hand-written
  model of `fluent_sdk.graphql.entities` instead of a generated one (one validation, from the
  response bytes): ``operation`` and the response ``path`` to the object (``order``,
  ``customers.edges.node``).
- `PRIVATE_PREFIX`: operations whose name starts with it are the helpers' own (see
  ``graphql/operations/orders.graphql``): private methods (``SdkOrderGet`` ->
  ``_sdk_order_get``), with no paginator.

``codegen.toml`` names this module (``[tool.fluent-codegen] tables``); a test of the generator
on a tiny schema names its own.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ALIASES", "PRIVATE_PREFIX", "RESULT_MODELS", "Alias", "ResultModel"]

PRIVATE_PREFIX = "Sdk"


@dataclass(frozen=True)
class Alias:
    """``name`` is a deprecated spelling of ``target``."""

    name: str
    target: str
    parameters: tuple[str, ...]
    reason: str
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResultModel:
    """The object at ``path`` in ``operation``'s result is parsed into ``model``."""

    operation: str
    path: str
    model: str
    reason: str


def _operation(method: str) -> str:
    """The hand-written operation a method came from (``orders_page`` -> ``OrdersPage``)."""
    return "".join(part.capitalize() for part in method.removeprefix("iter_").split("_"))


def _copy(method: str, target: str, fragment: str) -> str:
    return (
        f"the hand-written {_operation(method)} copied the default {target}, which now selects "
        f"{fragment} itself"
    )


_PAGE_FILTERS = {
    "orders": ("ref", "type_", "status", "created_on", "updated_on", "retailer_id"),
    "locations": ("ref", "type_", "status", "name"),
    "settings": ("name", "context", "context_id", "value_type"),
    "users": ("ref", "username", "type_", "status", "primary_email"),
    "categories": ("catalogue", "ref", "name", "status", "updated_on"),
    "standard_products": ("catalogue", "ref", "gtin", "status", "category", "updated_on"),
    "variant_products": ("catalogue", "ref", "gtin", "status", "category", "updated_on"),
    "inventory_positions": (
        "catalogue",
        "ref",
        "product_ref",
        "location_ref",
        "status",
        "type_",
        "updated_on",
    ),
}
_PAGE_FRAGMENTS = {
    "orders": "OrderFields",
    "locations": "LocationFields",
    "settings": "SettingFields",
    "users": "UserFields",
    "categories": "CategoryFields",
    "standard_products": "StandardProductFields",
    "variant_products": "VariantProductFields",
    "inventory_positions": "InventoryPositionFields and the first quantities",
}
# The nested page size the hand-written inventory page took, now an argument of the override.
_PAGE_EXTRA = {"inventory_positions": ("quantities_first",)}


def _page_aliases() -> tuple[Alias, ...]:
    aliases: list[Alias] = []
    for method, filters in _PAGE_FILTERS.items():
        reason = (
            f"one method and one paginator per root connection: the hand-written "
            f"{_operation(method)}Page copied {method}, whose default selects "
            f"{_PAGE_FRAGMENTS[method]}"
        )
        extra = _PAGE_EXTRA.get(method, ())
        aliases.append(
            Alias(f"{method}_page", method, (*filters, "first", "after", *extra), reason)
        )
        aliases.append(Alias(f"iter_{method}_page", f"iter_{method}", (*filters, *extra), reason))
    return tuple(aliases)


def _lookup(name: str, target: str, parameters: tuple[str, ...], fragment: str) -> Alias:
    return Alias(name, target, parameters, _copy(name, target, fragment), required=parameters)


def _write(name: str, target: str, fragment: str) -> Alias:
    return Alias(name, target, ("input",), _copy(name, target, fragment), required=("input",))


ALIASES: tuple[Alias, ...] = (
    *_page_aliases(),
    _lookup("order_detail", "order", ("ref",), "OrderDetailFields"),
    _lookup("order_detail_by_id", "order_by_id", ("id",), "OrderDetailFields"),
    _write("order_create", "create_order", "OrderFields"),
    _write("order_and_customer_create", "create_order_and_customer", "OrderFields"),
    _write("order_update", "update_order", "OrderFields"),
    _lookup("location_detail", "location", ("ref",), "LocationFields"),
    _lookup("location_detail_by_id", "location_by_id", ("id",), "LocationFields"),
    _lookup("setting_detail", "setting", ("id",), "SettingFields"),
    _write("setting_create", "create_setting", "SettingFields"),
    _write("setting_update", "update_setting", "SettingFields"),
    Alias("current_user", "me", (), _copy("current_user", "me", "UserDetailFields")),
    Alias(
        "user_detail", "user", ("id", "username"), _copy("user_detail", "user", "UserDetailFields")
    ),
    _lookup("category_detail", "category", ("ref", "catalogue"), "CategoryFields"),
    _write("category_create", "create_category", "CategoryFields"),
    _write("category_update", "update_category", "CategoryFields"),
    _lookup(
        "standard_product_detail",
        "standard_product",
        ("ref", "catalogue"),
        "StandardProductDetailFields",
    ),
    _lookup(
        "variant_product_detail", "variant_product", ("ref", "catalogue"), "VariantProductFields"
    ),
    _write("standard_product_create", "create_standard_product", "StandardProductFields"),
    _write("standard_product_update", "update_standard_product", "StandardProductFields"),
    _write("variant_product_create", "create_variant_product", "VariantProductFields"),
    _write("variant_product_update", "update_variant_product", "VariantProductFields"),
    Alias(
        "inventory_position_detail",
        "inventory_position",
        ("ref", "catalogue", "quantities_first", "quantities_after"),
        "the hand-written InventoryPositionDetail is now InventoryPosition, which overrides the "
        "default inventory_position with the same selection and arguments",
        required=("ref", "catalogue"),
    ),
)

_ENTITIES = "fluent_sdk.graphql.entities"
_HELPER = "the helper's model (flat lists, attributes as a dict) read once, from the bytes"

RESULT_MODELS: tuple[ResultModel, ...] = (
    ResultModel("SdkOrderGet", "order", f"{_ENTITIES}.Order", _HELPER),
    ResultModel("SdkOrdersPage", "orders.edges.node", f"{_ENTITIES}.OrderSummary", _HELPER),
    ResultModel("SdkCustomerGet", "customer", f"{_ENTITIES}.Customer", _HELPER),
    ResultModel("SdkCustomersFind", "customers.edges.node", f"{_ENTITIES}.Customer", _HELPER),
    ResultModel("SdkCustomerCreate", "createCustomer", f"{_ENTITIES}.Customer", _HELPER),
    ResultModel("SdkFulfilmentGet", "fulfilmentById", f"{_ENTITIES}.Fulfilment", _HELPER),
    ResultModel(
        "SdkOrderFulfilments", "order.fulfilments.edges.node", f"{_ENTITIES}.Fulfilment", _HELPER
    ),
    ResultModel("SdkArticleGet", "articleById", f"{_ENTITIES}.Article", _HELPER),
    ResultModel("SdkArticleCreate", "createArticle", f"{_ENTITIES}.Article", _HELPER),
    ResultModel("SdkArticleUpdate", "updateArticle", f"{_ENTITIES}.Article", _HELPER),
    ResultModel("SdkConsignmentGet", "consignmentById", f"{_ENTITIES}.Consignment", _HELPER),
    ResultModel("SdkConsignmentCreate", "createConsignment", f"{_ENTITIES}.Consignment", _HELPER),
    ResultModel("SdkConsignmentUpdate", "updateConsignment", f"{_ENTITIES}.Consignment", _HELPER),
    ResultModel(
        "SdkOrderFinancialTransactions",
        "order.financialTransactions.edges.node",
        f"{_ENTITIES}.FinancialTransaction",
        _HELPER,
    ),
    ResultModel(
        "SdkOrderByIdFinancialTransactions",
        "orderById.financialTransactions.edges.node",
        f"{_ENTITIES}.FinancialTransaction",
        _HELPER,
    ),
    ResultModel(
        "SdkFinancialTransactionCreate",
        "createFinancialTransaction",
        f"{_ENTITIES}.FinancialTransaction",
        _HELPER,
    ),
    ResultModel(
        "SdkFinancialTransactionUpdate",
        "updateFinancialTransaction",
        f"{_ENTITIES}.FinancialTransaction",
        _HELPER,
    ),
)
