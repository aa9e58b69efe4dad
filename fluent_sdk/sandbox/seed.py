"""Seeding: the default dataset and user-supplied seeds (a dict or a JSON file).

A seed is a JSON object; every key is optional::

    {
      "account": "SANDBOX",
      "clients": {"SANDBOX": "sandbox-secret"},            # OAuth client_id -> client_secret
      "workflows": [{"retailerId": "1", "name": "ORDER::HD", "rulesets": [...]}],
      "entities": [                                         # applied in order, like GraphQL calls
        {"mutation": "createLocation", "input": {...}, "set": {"status": "ACTIVE"}},
        {"mutation": "createUser", "input": {"username": "u", "password": "p", ...}}
      ],
      "records": [{"type": "Currency", "fields": {"alphabeticCode": "AUD"}}],
      "transitions": [{"entityType": "ORDER", "name": "CancelOrder", "to": "CANCELLED",
                       "from": ["CREATED"], "fail": null}],
      "plugin_rules": [{"name": "ACME.custom.MyRule", "description": "..."}]
    }

``entities`` go through the same code as GraphQL mutations (validation, ids, links, defaults);
``set`` then overwrites stored fields (seeded data is usually ``ACTIVE``, not ``CREATED``).
Users created with a ``password`` can sign in through ``/oauth/token``.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fluent_sdk.sandbox.rest.plugins import rule_info
from fluent_sdk.sandbox.rest.workflows import save_workflow, workflow_problem
from fluent_sdk.sandbox.store import Transition

if TYPE_CHECKING:
    from fluent_sdk.sandbox.app import SandboxApp

__all__ = ["SeedSpec", "apply_seed", "default_seed", "load_seed"]

SeedSpec = str | Path | dict[str, Any] | None


def default_seed() -> dict[str, Any]:
    text = resources.files("fluent_sdk.sandbox").joinpath("default_seed.json").read_text("utf-8")
    seed: dict[str, Any] = json.loads(text)
    return seed


def load_seed(spec: SeedSpec) -> dict[str, Any]:
    """``"default"``, ``None`` (an empty account with the default sign-in), a dict, or a path."""
    if spec is None:
        # Empty account: only what signing in needs (client, retailer 1, roles, admin user).
        full = default_seed()
        essentials = {"createRetailer", "createRole", "createUser"}
        entities = [e for e in full["entities"] if e["mutation"] in essentials]
        return {"clients": full["clients"], "entities": entities}
    if isinstance(spec, dict):
        return spec
    if str(spec) == "default":
        return default_seed()
    loaded: dict[str, Any] = json.loads(Path(spec).read_text("utf-8"))
    return loaded


def apply_seed(app: SandboxApp, seed: dict[str, Any]) -> None:
    store, engine = app.store, app.engine
    with store.lock:
        store.account_id = str(seed.get("account") or store.account_id)
        store.clients.update({str(k): str(v) for k, v in (seed.get("clients") or {}).items()})
        for workflow in seed.get("workflows") or []:
            problem = workflow_problem(workflow)
            if problem is not None:
                raise ValueError(f"Seed workflow is invalid: {problem}")
            save_workflow(store, workflow, user="seed")
        for record in seed.get("records") or []:
            engine.new_entity(str(record["type"]), dict(record.get("fields") or {}))
        for index, entry in enumerate(seed.get("entities") or []):
            try:
                created = engine.mutate(str(entry["mutation"]), {"input": entry["input"]})
            except Exception as error:
                raise ValueError(
                    f"Seed entity #{index} ({entry.get('mutation')}) failed: {error}"
                ) from error
            if entry.get("set") and isinstance(created, dict) and "__typename" in created:
                store.put({**created, **entry["set"]})
        for rule in seed.get("transitions") or []:
            store.transitions[(str(rule["entityType"]).upper(), str(rule["name"]))] = Transition(
                rule.get("to"),
                frozenset(rule["from"]) if rule.get("from") else None,
                rule.get("fail"),
            )
        for rule in seed.get("plugin_rules") or []:
            store.plugin_rules[str(rule["name"])] = rule_info(
                str(rule["name"]), str(rule.get("description") or ""), rule.get("accepts")
            )
