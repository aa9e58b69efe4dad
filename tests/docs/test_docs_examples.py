"""Every ```python example in docs/ runs against the embedded sandbox (see CONTRIBUTING.md)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fluent_sdk.sandbox import Sandbox

from .docs_examples import (
    ASYNC_TAB,
    DOCS,
    Example,
    compile_example,
    extract_examples,
    iter_all,
    run_pytest_example,
    run_track,
    tracks_of,
)

PAGES = dict(iter_all())
RUNS = [
    pytest.param(page, track, id=f"{page}[{track}]")
    for page, examples in PAGES.items()
    for track in tracks_of(examples)
]
PYTEST_EXAMPLES = [
    pytest.param(example, id=example.where)
    for examples in PAGES.values()
    for example in examples
    if example.mode == "pytest"
]
ALL_EXAMPLES = [
    pytest.param(example, id=example.where) for examples in PAGES.values() for example in examples
]
ASYNC_EXAMPLES = [
    pytest.param(example, id=example.where)
    for examples in PAGES.values()
    for example in examples
    if example.tab == ASYNC_TAB
]

#: What the harness puts in the environment: a fictitious account and a Fluent CLI profile,
#: so configuration examples run without a real account (they never send a request).
DOCS_ENV = {
    "FLUENT_ACCOUNT": "ACME",
    "FLUENT_ENVIRONMENT": "sandbox",
    "FLUENT_CLIENT_ID": "ACME",
    "FLUENT_CLIENT_SECRET": "docs-client-secret",
    "FLUENT_USERNAME": "acme_admin",
    "FLUENT_PASSWORD": "docs-password",
}
PROFILE = {
    "profile.json": {
        "id": "ACME",
        "baseUrl": "https://ACME.sandbox.api.fluentretail.com",
        "clientSecret": "docs-profile-secret",
        "user": "acme_admin",
    },
    "user.acme_admin.json": {"username": "acme_admin", "password": "docs-profile-password"},
    "retailer.ACME_RETAIL.json": {"id": 5, "user": "acme_admin"},
}


@pytest.fixture
def docs_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Clean ``FLUENT_*`` variables set to :data:`DOCS_ENV`, a profile ``acme-sandbox`` in a
    temporary profile folder, and the temporary folder as working directory."""
    import os

    for name in list(os.environ):
        if name.startswith("FLUENT_"):
            monkeypatch.delenv(name)
    for name, value in DOCS_ENV.items():
        monkeypatch.setenv(name, value)
    profiles = tmp_path / "profiles"
    folder = profiles / "acme-sandbox"
    folder.mkdir(parents=True)
    for file_name, content in PROFILE.items():
        (folder / file_name).write_text(json.dumps(content), encoding="utf-8")
    monkeypatch.setenv("FLUENT_PROFILE_DIR", str(profiles))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


@pytest.fixture
def page_namespace(docs_environment: Path) -> Iterator[dict[str, Any]]:
    sandbox = Sandbox()
    namespace: dict[str, Any] = {"__name__": "__docs__", "sandbox": sandbox}
    yield namespace
    client = namespace.get("client")
    if client is not None and hasattr(client, "close"):
        client.close()
    if sandbox.app.errors:
        pytest.fail(f"the sandbox crashed while running the examples: {sandbox.app.errors!r}")


@pytest.mark.parametrize(("page", "track"), RUNS)
def test_page_examples_run(page: str, track: str, page_namespace: dict[str, Any]) -> None:
    sandbox: Sandbox = page_namespace["sandbox"]
    page_namespace["client"] = sandbox.client() if track == "sync" else sandbox.async_client()
    ran = run_track(PAGES[page], track, page_namespace)
    assert ran > 0


@pytest.mark.parametrize("example", ALL_EXAMPLES)
def test_every_example_compiles(example: Example) -> None:
    """Skipped examples (real account needed) must still be valid Python."""
    compile_example(example, top_level_await=example.tab == ASYNC_TAB)


@pytest.mark.parametrize("example", ASYNC_EXAMPLES)
def test_async_tabs_are_async(example: Example) -> None:
    assert "await" in example.code or "async" in example.code, example.where


@pytest.mark.parametrize("example", PYTEST_EXAMPLES)
def test_pytest_examples_pass(example: Example, docs_environment: Path) -> None:
    result = run_pytest_example(example, docs_environment)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " passed" in result.stdout
    assert " failed" not in result.stdout


def test_every_page_is_checked() -> None:
    """The pages with examples are found, so a broken extractor cannot pass silently."""
    assert len(PAGES) >= 10
    assert sum(len(examples) for examples in PAGES.values()) >= 30
    assert {track for examples in PAGES.values() for track in tracks_of(examples)} == {
        "sync",
        "async",
    }


# -- the extractor itself ------------------------------------------------------------------

SAMPLE = """\
# Page

```python
setup = 1
```

=== "Sync"

    ```python
    result = client.get()
    ```

=== "Async"

    ```python
    result = await client.get()
    ```

Text after the tabs.

<!-- docs-test: skip -->
```python
needs_account()
```

```console
$ fluent-sdk --help
```

!!! note

    ```py
    in_admonition = True
    ```
"""


def test_extractor_reads_tabs_markers_and_indentation() -> None:
    examples = extract_examples(SAMPLE, "sample.md")
    assert [(e.line, e.tab, e.mode, e.code) for e in examples] == [
        (3, None, "run", "setup = 1\n"),
        (9, "Sync", "run", "result = client.get()\n"),
        (15, "Async", "run", "result = await client.get()\n"),
        (22, None, "skip", "needs_account()\n"),
        (32, None, "run", "in_admonition = True\n"),
    ]
    assert tracks_of(examples) == ["sync", "async"]


def test_extractor_rejects_unknown_markers() -> None:
    with pytest.raises(ValueError, match="unknown docs-test mode"):
        extract_examples("<!-- docs-test: maybe -->\n```python\nx = 1\n```\n")
    with pytest.raises(ValueError, match="must precede a code fence"):
        extract_examples("<!-- docs-test: skip -->\nSome text.\n```python\nx = 1\n```\n")


def test_tracks_run_in_order_and_await_at_top_level() -> None:
    examples = extract_examples(SAMPLE.replace("client.get()", "get()"), "sample.md")
    calls: list[str] = []

    def get() -> str:
        calls.append("sync")
        return "sync"

    async def aget() -> str:
        calls.append("async")
        return "async"

    namespace: dict[str, Any] = {"get": get, "in_admonition": False}
    assert run_track(examples, "sync", namespace) == 3
    assert namespace["result"] == "sync"
    assert namespace["in_admonition"] is True
    namespace = {"get": aget}
    assert run_track(examples, "async", namespace) == 3
    assert namespace["result"] == "async"
    assert calls == ["sync", "async"]


def test_a_failing_example_fails_with_its_location() -> None:
    examples = extract_examples("```python\nraise RuntimeError('boom')\n```\n", "bad.md")
    with pytest.raises(RuntimeError, match="boom") as info:
        run_track(examples, "sync", {})
    assert "docs/bad.md:1" in "".join(info.value.__notes__)


def test_docs_folder_exists() -> None:
    assert (DOCS / "index.md").is_file()
