"""The generator's tables for a user's package (``fluent-sdk codegen``): empty.

A user's operations have no deprecated aliases and no hand-written result models, and none of
them is private (the SDK's tables, `fluent_sdk._codegen.tables`, make its helpers' ``Sdk...``
operations private; here an operation called ``SdkSomething`` is an ordinary method).
"""

from __future__ import annotations

from fluent_sdk._codegen.tables import Alias, ResultModel

__all__ = ["ALIASES", "PRIVATE_PREFIX", "RESULT_MODELS"]

#: No operation is private.
PRIVATE_PREFIX = ""
ALIASES: tuple[Alias, ...] = ()
RESULT_MODELS: tuple[ResultModel, ...] = ()
