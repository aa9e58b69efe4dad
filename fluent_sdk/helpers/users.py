"""Users (``client.users``): who am I, look a user up, list users, create one with roles.

Usage::

    me = client.users.me()
    user = client.users.get(username="store_melb")       # or ref=... / id=...; None if absent
    for user in client.users.iter(type="LOCATION", status="ACTIVE"):
        ...
    client.users.create(
        NewUser(
            username="store_melb", password="…", primary_email="melb@example.com",
            type="LOCATION", timezone="Australia/Melbourne", primary_location_id="1",
            roles=[
                "STORE_ASSISTANT",                                  # retailer context
                {"role": "ADMIN", "contexts": [("LOCATION", "1")]},  # explicit contexts
            ],
        )
    )  # dicts work too: client.users.create({"username": ..., ...})

A role given without contexts gets the client's retailer as its context; ``ref`` defaults to
``username`` and ``primary_retailer_id`` to the client's retailer. Passwords are `SecretStr`:
they never appear in reprs, logs or error messages (and are sent as given: never stripped).
Every call returns the same `User` model (the generated ``UserFields`` plus ``found_existing``).

`create` never creates twice: when its reply is lost the user is looked up by username before
any retry, and one that exists is returned with ``found_existing=True``
(`fluent_sdk.helpers._common.create_once`).

`_UsersBase` holds the logic once, as plans (no I/O); `Users` / `AsyncUsers` only run them
(`fluent_sdk.helpers._common`). ``iter`` is a `Paginator` (async: `AsyncPaginator`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import AliasChoices, ConfigDict, Field, SecretStr, field_validator

from fluent_sdk._generated import fragments as _fragments
from fluent_sdk._generated.fragments import UserFields
from fluent_sdk._redact import register_secret
from fluent_sdk.errors import ValidationError
from fluent_sdk.graphql import AsyncPaginator, Paginator
from fluent_sdk.graphql._pagination import DEFAULT_PAGE_SIZE
from fluent_sdk.helpers._attributes import Attributes, attributes_input
from fluent_sdk.helpers._calls import Listing, Operation, Plan, ResolveRetailer
from fluent_sdk.helpers._common import create_and_read
from fluent_sdk.helpers._driver import AsyncHelper, Lists, SyncHelper
from fluent_sdk.helpers._models import FoundExisting, InputModel, parse_input
from fluent_sdk.helpers._platform_common import string_filters
from fluent_sdk.rest._common import IdStr

__all__ = ["AsyncUsers", "NewUser", "RoleContextSpec", "User", "UserRoleSpec", "Users"]

PagesT = TypeVar("PagesT")


class User(UserFields, FoundExisting):
    """The user model every call returns (``me``, ``get``, ``iter``, ``create``): the generated
    ``UserFields``, plus ``found_existing`` (True when `Users.create` found the user an earlier
    try had created, after a lost reply; never sent, left out of dumps)."""


User.model_rebuild(_types_namespace=vars(_fragments))


class RoleContextSpec(InputModel):
    """Where a role applies: ``context_type`` (RETAILER, LOCATION, ...) and that entity's id."""

    context_type: str = Field(min_length=1)
    context_id: IdStr = Field(min_length=1)


class UserRoleSpec(InputModel):
    """A role by name with its contexts (the client's retailer when left empty)."""

    role: str = Field(min_length=1)
    contexts: list[RoleContextSpec] = Field(default_factory=list)

    @field_validator("contexts", mode="before")
    @classmethod
    def _accept_pairs(cls, value: Any) -> Any:
        # ("RETAILER", 1) pairs are the short form of {"contextType": ..., "contextId": ...}.
        if isinstance(value, list | tuple):
            return [
                {"context_type": item[0], "context_id": item[1]}
                if isinstance(item, list | tuple) and len(item) == 2
                else item
                for item in value
            ]
        return value


class NewUser(InputModel):
    """A user to create. ``type`` is ADMIN, RETAILER, LOCATION, AGENT, API, ...

    Unlike other inputs, strings are kept exactly as given: a password's spaces are its own."""

    model_config = ConfigDict(str_strip_whitespace=False)

    username: str = Field(min_length=1, max_length=250)
    password: SecretStr = Field(min_length=1, max_length=128)
    primary_email: str = Field(min_length=3, max_length=250)
    type: str = Field(min_length=1)
    timezone: str = Field(default="UTC", min_length=1, max_length=32)
    ref: str | None = Field(default=None, max_length=100)
    title: str | None = Field(default=None, max_length=50)
    first_name: str | None = Field(default=None, max_length=50)
    last_name: str | None = Field(default=None, max_length=50)
    primary_phone: str | None = Field(default=None, max_length=20)
    department: str | None = None
    country: str | None = Field(default=None, max_length=100)
    promotion_opt_in: bool | None = None
    primary_retailer_id: IdStr | None = Field(
        default=None, validation_alias=AliasChoices("primary_retailer_id", "primaryRetailerId")
    )
    primary_location_id: IdStr | None = Field(
        default=None, validation_alias=AliasChoices("primary_location_id", "primaryLocationId")
    )
    roles: list[UserRoleSpec] = Field(default_factory=list)
    attributes: Attributes = None

    @field_validator("roles", mode="before")
    @classmethod
    def _accept_role_names(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return [{"role": item} if isinstance(item, str) else item for item in value]
        return value

    @property
    def needs_retailer(self) -> bool:
        """Whether creating it needs the client's retailer id (a default is used)."""
        return self.primary_retailer_id is None or any(not r.contexts for r in self.roles)


class _UsersBase(Lists[PagesT]):
    """No I/O: argument checks, the ``createUser`` input, the listing, and the plans."""

    @staticmethod
    def _new_user(user: NewUser | Mapping[str, Any]) -> NewUser:
        return parse_input(NewUser, user, field="user")

    @staticmethod
    def _create_input(user: NewUser, retailer_id: Any) -> dict[str, Any]:
        password = user.password.get_secret_value()
        register_secret(password)  # masked wherever it might surface (logs, errors)
        data: dict[str, Any] = {
            "ref": user.ref or user.username,
            "username": user.username,
            "password": password,
            "primaryEmail": user.primary_email,
            "type": user.type,
            "timezone": user.timezone,
        }
        optional = {
            "title": user.title,
            "firstName": user.first_name,
            "lastName": user.last_name,
            "primaryPhone": user.primary_phone,
            "department": user.department,
            "country": user.country,
            "promotionOptIn": user.promotion_opt_in,
        }
        data.update({key: value for key, value in optional.items() if value is not None})
        retailer = user.primary_retailer_id or (str(retailer_id) if retailer_id else None)
        if retailer is not None:
            data["primaryRetailer"] = {"id": retailer}
        if user.primary_location_id is not None:
            data["primaryLocation"] = {"id": user.primary_location_id}
        if user.roles:
            data["roles"] = [
                {
                    "role": {"name": role.role},
                    "contexts": [
                        {"contextType": c.context_type, "contextId": c.context_id}
                        for c in role.contexts
                    ]
                    or [{"contextType": "RETAILER", "contextId": str(retailer_id)}],
                }
                for role in role_list(user.roles)
            ]
        if user.attributes:
            data["attributes"] = attributes_input(user.attributes)
        return data

    @staticmethod
    def _lookup(username: str | None, ref: str | None, id: str | None) -> tuple[str, str]:
        given = {k: v for k, v in {"username": username, "ref": ref, "id": id}.items() if v}
        if len(given) != 1:
            raise ValidationError(
                "pass exactly one of username=, ref= or id=",
                field="username" if not given else next(iter(given)),
            )
        ((key, value),) = given.items()
        if not isinstance(value, str | int) or isinstance(value, bool):
            raise ValidationError(f"{key} must be a string", field=key)
        return key, str(value)

    def iter(
        self,
        *,
        ref: str | Sequence[str] | None = None,
        username: str | Sequence[str] | None = None,
        type: str | Sequence[str] | None = None,
        status: str | Sequence[str] | None = None,
        primary_email: str | Sequence[str] | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        max_items: int | None = None,
    ) -> PagesT:
        """Users matching every filter given (each a value or a list of values): a
        `Paginator` (async client: an `AsyncPaginator`, ``async for``)."""
        args = string_filters(
            ref=ref, username=username, type_=type, status=status, primary_email=primary_email
        )
        call = Operation("users", args)
        listing = Listing(call, "users", User.from_node, page_size=page_size, max_items=max_items)
        return self._paginate(listing)

    # ---- plans --------------------------------------------------------------------------------
    @staticmethod
    def _me_plan() -> Plan[User | None]:
        found = yield Operation("me")
        return None if found is None else User.from_node(found)

    def _get_plan(self, key: str, value: str) -> Plan[User | None]:
        if key == "ref":
            call = Operation("users", {"ref": [value]})
            found = yield Listing(call, "users", node=User.from_node, page_size=1, max_items=1)
            return found[0] if found else None
        node = yield Operation("user", {key: value})
        return None if node is None else User.from_node(node)

    def _find_plan(
        self, *, username: str | None, ref: str | None, id: str | None
    ) -> Plan[User | None]:
        return (yield from self._get_plan(*self._lookup(username, ref, id)))

    def _create_plan(self, user: NewUser | Mapping[str, Any]) -> Plan[User]:
        spec = self._new_user(user)
        retailer_id = (yield ResolveRetailer()) if spec.needs_retailer else None
        create = Operation("create_user", {"input": self._create_input(spec, retailer_id)})
        found = yield from create_and_read(
            create,
            lambda: self._get_plan("username", spec.username),  # usernames are unique
            operation="createUser",
        )
        return found


def role_list(roles: Sequence[UserRoleSpec]) -> list[UserRoleSpec]:
    """Roles in order with repeats of the same role merged (contexts concatenated)."""
    merged: dict[str, UserRoleSpec] = {}
    for role in roles:
        if role.role in merged:
            kept = merged[role.role]
            merged[role.role] = kept.model_copy(
                update={"contexts": [*kept.contexts, *role.contexts]}
            )
        else:
            merged[role.role] = role
    return list(merged.values())


class Users(SyncHelper, _UsersBase[Paginator[User]]):
    """``client.users`` (see the module docstring)."""

    def me(self) -> User | None:
        """The user the client is signed in as."""
        return self._run(self._me_plan())

    def get(
        self, *, username: str | None = None, ref: str | None = None, id: str | None = None
    ) -> User | None:
        """One user by ``username``, ``ref`` or ``id``; None when there is none."""
        return self._run(self._find_plan(username=username, ref=ref, id=id))

    def create(self, user: NewUser | Mapping[str, Any]) -> User:
        """Create a user (with its roles) and return it as stored; a lost reply never makes
        two (the one found is returned with ``found_existing=True``)."""
        return self._run(self._create_plan(user))


class AsyncUsers(AsyncHelper, _UsersBase[AsyncPaginator[User]]):
    """The async twin of `Users`."""

    async def me(self) -> User | None:
        """See `Users.me`."""
        return await self._run(self._me_plan())

    async def get(
        self, *, username: str | None = None, ref: str | None = None, id: str | None = None
    ) -> User | None:
        """See `Users.get`."""
        return await self._run(self._find_plan(username=username, ref=ref, id=id))

    async def create(self, user: NewUser | Mapping[str, Any]) -> User:
        """See `Users.create`."""
        return await self._run(self._create_plan(user))
