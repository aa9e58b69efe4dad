"""The Platform (REST) APIs: events, jobs and batches, workflows, plugins.

The client creates these namespaces lazily (``client.events``, ``client.jobs``,
``client.workflows``, ``client.plugins``); import models from the submodules, e.g.
``from fluent_sdk.rest.events import Event``.
"""

__all__: list[str] = []
