"""Generator of typed GraphQL clients: the SDK's own (``fluent_sdk/_generated/``) and users'
packages of their own operations (``fluent-sdk codegen``, `fluent_sdk._codegen.user`).

Run the SDK's as ``python -m fluent_sdk._codegen`` (``--check`` fails when the output is stale).

One pipeline, `fluent_sdk._codegen.generate.render_package`, makes both: ariadne-codegen (the
settings every package shares in `fluent_sdk._codegen.settings`, the SDK's own in
``codegen.toml``; plugin `fluent_sdk._codegen.plugin`) writes the async client and the models
into a scratch directory; `make_sync_twin` derives the sync client from the async one by a
checked text transform; every operation document is written once, to ``documents.py``, and both
clients read it from there; our templates replace ariadne's base modules; every file gets the
``@generated`` header; ruff formats. For the SDK, the result replaces the files of
``fluent_sdk/_generated/`` (``schema.graphql`` there belongs to the schema pipeline and is left
alone), with ``fragments.graphql``, the SDK's shared fragments that users' documents may spread.
Nothing here is imported at runtime.
"""

from fluent_sdk._codegen.generate import GENERATED_HEADER, generate, make_sync_twin

__all__ = ["GENERATED_HEADER", "generate", "make_sync_twin"]
