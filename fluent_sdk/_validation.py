"""The one converter from pydantic's validation errors to the SDK's `ValidationError`.

Every input the SDK takes (generated GraphQL inputs, REST request bodies, helper inputs) is
checked by pydantic and reported through `validation_error`, so every error names its field the
same way, rooted at the argument's name: ``input.items[2].quantity``. Unknown keys are refused
and the message suggests the closest known name::

    input.statuss: unknown field (did you mean 'status'?)

`validate_input` is the usual entry point: a model instance passes through, a mapping is
validated into the model, anything else is refused with the same wording.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import pydantic
from pydantic import ConfigDict

from fluent_sdk.errors import ValidationError

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "StrictModel",
    "closest_name",
    "field_path",
    "field_steps",
    "join_path",
    "reject_bool",
    "validate_input",
    "validation_error",
]

ModelT = TypeVar("ModelT", bound=pydantic.BaseModel)

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


def field_path(steps: Iterable[str | int]) -> str:
    """``("input", "items", 2, "quantity")`` -> ``input.items[2].quantity``."""
    path = ""
    for step in steps:
        if isinstance(step, int):
            path += f"[{step}]"
        elif step != "":
            path += f".{step}" if path else str(step)
    return path


def join_path(prefix: str | None, tail: str | None) -> str:
    """``join_path("input", "items[0].ref")`` -> ``input.items[0].ref``; either may be empty."""
    if not prefix or not tail:
        return prefix or tail or ""
    return prefix + tail if tail.startswith("[") else f"{prefix}.{tail}"


def closest_name(name: str, candidates: Iterable[str]) -> str | None:
    """The known name ``name`` was most likely meant to be, or None when nothing is close.

    A case-only difference wins; otherwise the closest by `difflib` (ratio >= 0.6), preferring
    names written in the same style (``snake_case`` against ``camelCase``) as ``name``."""
    known = sorted(set(candidates))
    for candidate in known:
        if candidate.lower() == name.lower():
            return candidate
    snake = "_" in name
    same_style = [c for c in known if ("_" in c) == snake]
    for pool in (same_style, known):
        match = difflib.get_close_matches(name, pool, n=1, cutoff=0.6)
        if match:
            return match[0]
    return None


def reject_bool(value: Any) -> Any:
    """A before-validator: ``True`` is not the number 1 in a quantity or an id."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean")
    return value


# -- which model a location points into (for "did you mean") ---------------------------------


def _models_in(annotation: Any) -> list[type[pydantic.BaseModel]]:
    """Every pydantic model an annotation can hold: ``Optional[list[Union[A, B]]]`` -> A, B."""
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        return [annotation]
    found: list[type[pydantic.BaseModel]] = []
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin is not None or isinstance(annotation, types.UnionType):
        for argument in typing.get_args(annotation):
            found.extend(_models_in(argument))
    return found


def _field_named(model: type[pydantic.BaseModel], step: str) -> pydantic.fields.FieldInfo | None:
    fields = model.model_fields
    if step in fields:
        return fields[step]
    for info in fields.values():
        if step in (info.alias, info.validation_alias):
            return info
    return None


def _known_names(model: type[pydantic.BaseModel]) -> set[str]:
    names: set[str] = set()
    for name, info in model.model_fields.items():
        names.add(name)
        if isinstance(info.alias, str):
            names.add(info.alias)
    return names


def _names_at(model: type[pydantic.BaseModel] | None, steps: Sequence[str | int]) -> set[str]:
    """The field names valid at the place ``steps`` (the unknown key's parents) lead to."""
    if model is None:
        return set()
    models = [model]
    for step in steps:
        if isinstance(step, int):
            continue  # a list item: the models the list holds are already in hand
        next_models: list[type[pydantic.BaseModel]] = []
        for current in models:
            info = _field_named(current, step)
            if info is not None:
                next_models.extend(_models_in(info.annotation))
        models = next_models
        if not models:
            return set()
    names: set[str] = set()
    for current in models:
        names |= _known_names(current)
    return names


# -- the converter ---------------------------------------------------------------------------


def _problem(error: Mapping[str, Any], model: type[pydantic.BaseModel] | None) -> str:
    if error.get("type") == "extra_forbidden":
        steps = field_steps(error)
        unknown = steps[-1] if steps else None
        if isinstance(unknown, str):
            suggestion = closest_name(unknown, _names_at(model, steps[:-1]))
            if suggestion is not None and suggestion != unknown:
                return f"unknown field (did you mean {suggestion!r}?)"
        return "unknown field"
    return str(error.get("msg", "invalid value"))


def validation_error(
    exc: pydantic.ValidationError,
    *,
    prefix: str = "",
    model: type[pydantic.BaseModel] | None = None,
) -> ValidationError:
    """``exc`` as the SDK's `ValidationError`, naming the first bad field under ``prefix``.

    ``model`` (the model that was validated) lets an unknown key's message suggest the closest
    known name. A model-level check may raise our `ValidationError` naming its field relative
    to the model; pydantic keeps that exception, and its path is joined on.
    """
    errors = exc.errors(include_url=False, include_input=False)
    if not errors:  # pragma: no cover - pydantic always reports at least one
        return ValidationError(str(exc), field=prefix or None)
    first = errors[0]
    path = join_path(prefix, field_path(field_steps(first)))
    raised = (first.get("ctx") or {}).get("error")
    if isinstance(raised, ValidationError):
        path = join_path(path, raised.field)
        detail = raised.detail
    else:
        detail = _problem(first, model)
    more = f" (and {len(errors) - 1} more problems)" if len(errors) > 1 else ""
    # ctx holds exception objects; keep only plain data.
    plain = [
        {
            **{k: v for k, v in error.items() if k != "ctx"},
            "field": join_path(prefix, field_path(field_steps(error))),
            "msg": _problem(error, model),
        }
        for error in errors
    ]
    message = f"{path}: {detail}{more}" if path else detail + more
    return ValidationError(message, field=path or None, errors=plain, detail=detail)


def validate_input(model: type[ModelT], value: Any, *, field: str = "") -> ModelT:
    """``value`` (a ``model`` instance or a mapping) as ``model``, or a `ValidationError`
    naming the bad field under ``field``."""
    if isinstance(value, model):
        return value
    if not isinstance(value, Mapping):
        where = field or "value"
        raise ValidationError(
            f"{where}: expected a {model.__name__} or a mapping, got {type(value).__name__}",
            field=field or None,
        )
    try:
        # pydantic's own model_validate: a `StrictModel` would convert the error without the
        # prefix that says where in the caller's argument the value sits.
        return _pydantic_validate(model, dict(value))
    except pydantic.ValidationError as exc:
        raise validation_error(exc, prefix=field, model=model) from None


def _pydantic_validate(model: type[ModelT], value: dict[str, Any]) -> ModelT:
    validated: ModelT = pydantic.BaseModel.model_validate.__func__(model, value)  # type: ignore[attr-defined]
    return validated


class StrictModel(pydantic.BaseModel):
    """Base of every input model the SDK defines by hand (REST bodies, helper inputs).

    Unknown keys are refused, assignments are checked, and every failure, whether from the
    constructor, `model_validate` or an assignment, is the SDK's `ValidationError` with a
    did-you-mean for misspelt keys, never pydantic's own error.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, defer_build=True)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except pydantic.ValidationError as exc:
            raise validation_error(exc, model=type(self)) from None

    def __setattr__(self, name: str, value: Any) -> None:
        try:
            super().__setattr__(name, value)
        except pydantic.ValidationError as exc:
            raise validation_error(exc, model=type(self)) from None

    @classmethod
    def model_validate(cls, obj: Any, *args: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, *args, **kwargs)
        except pydantic.ValidationError as exc:
            raise validation_error(exc, model=cls) from None
