"""Names a package exports but imports only on first use (PEP 562), so importing it stays cheap.

In the package's ``__init__``::

    __getattr__, __dir__ = lazy_exports(__name__, __all__, {"FluentClient": "fluent_sdk._client"})

``fluent_sdk`` and ``fluent_sdk.graphql`` export their names this way; a name is looked up in
its module once, then kept in the package's namespace.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(
    package: str,
    names: Iterable[str],
    locations: Mapping[str, str],
    *,
    default: str | None = None,
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of ``package``: each name of ``names`` is imported
    from its module in ``locations`` (else from ``default``) when first asked for."""
    exported = sorted(names)
    namespace = sys.modules[package].__dict__

    def __getattr__(name: str) -> Any:
        module = locations.get(name)
        if module is None and name in exported:
            module = default
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return list(exported)

    return __getattr__, __dir__
