"""Naming the field of a pydantic validation error, for the SDK's `ValidationError`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["field_steps", "reject_bool"]

# Steps pydantic adds to an error's ``loc`` for union members: they name types, not fields.
_TYPE_STEPS = frozenset(
    {
        "int",
        "str",
        "float",
        "bool",
        "bytes",
        "none",
        "list",
        "dict",
        "tuple",
        "set",
        "decimal",
        "date",
        "datetime",
        "time",
        "timedelta",
        "uuid",
        "url",
        "constrained-str",
        "constrained-int",
        "constrained-float",
        "enum",
    }
)


def field_steps(error: Mapping[str, Any]) -> list[str | int]:
    """The ``loc`` of one pydantic error with the type-naming steps removed.

    Union members (``int``, ``function-after[...]``) and discriminated-union tags (``HD``)
    are dropped; the last step of an ``extra_forbidden`` error is the caller's unknown key and
    is kept whatever it looks like.
    """
    loc: list[str | int] = list(error.get("loc") or ())
    keep_last = error.get("type") == "extra_forbidden"
    steps: list[str | int] = []
    for index, step in enumerate(loc):
        if (
            isinstance(step, int)
            or (keep_last and index == len(loc) - 1)
            or not _names_a_type(step)
        ):
            steps.append(step)
    return steps


def _names_a_type(step: str) -> bool:
    return "[" in step or step in _TYPE_STEPS or step[:1].isupper()


def reject_bool(value: Any) -> Any:
    """A before-validator: ``True`` is not the number 1 in a quantity or an id."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    return value
