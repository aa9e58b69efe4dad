"""Generator of the typed GraphQL client in ``fluent_sdk/_generated/``.

Run it as ``python -m fluent_sdk._codegen`` (``--check`` fails when the output is stale).

Steps: ariadne-codegen (settings in ``codegen.toml``, plugin `fluent_sdk._codegen.plugin`) writes
the async client and the models into a scratch directory; `make_sync_twin` derives the sync
client from the async one by a checked text transform; every operation document is written
once, to ``documents.py``, and both clients read it from there; our templates replace ariadne's base
modules; every file gets the ``@generated`` header; ruff formats; the result replaces the
``.py`` files of ``fluent_sdk/_generated/`` (``schema.graphql`` there belongs to the schema
pipeline and is left alone). Nothing here is imported at runtime.
"""

from fluent_sdk._codegen.generate import GENERATED_HEADER, generate, make_sync_twin

__all__ = ["GENERATED_HEADER", "generate", "make_sync_twin"]
