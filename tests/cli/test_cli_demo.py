"""``fluent-sdk demo``: the end-to-end run over HTTP against the served sandbox."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fluent_sdk import demo as demo_module
from fluent_sdk._config import ENV_VARS
from fluent_sdk.demo import sample_catalogue, sample_inventory

from .conftest import Cli, Served

STEPS = (
    "start sandbox",
    "log in",
    "sync catalogue",
    "set up locations",
    "update inventory",
    "create HD order",
    "create CC order",
    "read orders back",
    "page through orders",
)


def test_sample_data_is_consistent() -> None:
    catalogue = sample_catalogue(products=25, variants_per_product=4)
    assert catalogue.counts == (3, 25, 100)
    skus = catalogue.sellable_refs
    assert len(skus) == len(set(skus)) == 100
    records = sample_inventory(skus, [f"L{n}" for n in range(30)], 3000)
    assert len({(r["skuRef"], r["locationRef"]) for r in records}) == 3000


@pytest.mark.integration
def test_demo_in_process_succeeds_end_to_end(cli: Cli) -> None:
    result = cli("demo")
    assert result.exit_code == 0, result.output
    out = result.stdout
    for step in STEPS:
        assert step in out
    assert "3,000" in out  # inventory records in the summary table
    assert "3000 accepted" in out
    assert "Order DEMO-HD-" in out
    assert "Order DEMO-CC-" in out
    assert "HD_PFS" in out
    assert "CC_PFS" in out
    assert "http://127.0.0.1:" in out
    assert f"All {len(STEPS)} steps succeeded" in out
    assert "FAILED" not in out
    assert "sandbox-password" not in result.output


def test_demo_failed_step_continues_and_exits_1(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise demo_module._StepFailed("stores could not be created")

    monkeypatch.setattr(demo_module, "_step_locations", broken)
    result = cli("demo", "--records", "200")
    assert result.exit_code == 1
    out = result.stdout
    assert "FAILED" in out
    assert "stores could not be created" in out
    assert "SKIPPED" in out  # the inventory step needed the locations
    # Independent steps still ran and succeeded.
    assert "Order DEMO-CC-" in out
    assert "1 step(s) did not succeed" not in out  # failed + skipped = 2
    assert "2 step(s) did not succeed: set up locations, update inventory" in out


def test_demo_with_credentials_is_read_only(cli: Cli, served: Served) -> None:
    events_before = len(served.sandbox.store.events)
    result = cli("demo")
    assert result.exit_code == 0, result.output
    assert "count orders" in result.stdout
    assert "3 locations" in result.stdout
    assert "sync catalogue" not in result.stdout
    requests = list(served.sandbox.requests)
    graphql = [entry for entry in requests if entry.path == "/graphql"]
    assert graphql  # it did talk to the account...
    assert not [e for e in graphql if "mutation" in e.json()["query"]]  # ...read-only
    assert {entry.path for entry in requests} == {"/oauth/token", "/graphql"}
    assert len(served.sandbox.store.events) == events_before


def test_demo_with_credentials_and_write_runs_the_integration(cli: Cli, served: Served) -> None:
    result = cli("demo", "--write", "--records", "300", "-q")
    assert result.exit_code == 0, result.output
    assert "sync catalogue" in result.stdout
    assert "3 existing locations" in result.stdout
    orders = served.sandbox.execute("{ orders(first: 5) { edges { node { type } } } }")
    assert sorted(e["node"]["type"] for e in orders["data"]["orders"]["edges"]) == ["CC", "HD"]


@pytest.mark.integration
def test_fluent_sdk_demo_subprocess(tmp_path: Path) -> None:
    executable = shutil.which("fluent-sdk", path=str(Path(sys.executable).parent))
    assert executable is not None, "the package's console script is not installed"
    env = {k: v for k, v in os.environ.items() if k not in ENV_VARS.values()}
    env["HOME"] = str(tmp_path)
    completed = subprocess.run(
        [executable, "demo", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"All {len(STEPS)} steps succeeded" in completed.stdout
    assert "update inventory" in completed.stdout
