"""The real thing: a notebook run by a Jupyter kernel (nbclient + ipykernel, which executes
cells inside its event loop). Sync calls, paginators, ``to_pandas``, an inventory update and
top-level ``await`` all work, and models, pages, paginators and errors display as HTML."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

KERNEL_NAME = "fluent-sdk-jupyter-test"

CELLS = [
    # 0: setup, sync calls inside the kernel's running loop
    """
import asyncio
from fluent_sdk.sandbox import Sandbox
from fluent_sdk.errors import APIError

asyncio.get_running_loop()  # cells run inside the kernel's event loop
sandbox = Sandbox(batch_polls_to_complete=1)
client = sandbox.client()
client.graphql.create_payment_service_provider(input={
    "ref": "PSP-NB", "name": "<b>Pay</b>", "clientId": "c", "clientSecret": "nb-secret-123",
    "serviceAuthToken": "nb-token-123", "host": "h", "port": 1, "retailer": {"id": "1"},
})
locations = client.graphql.locations(first=2)
""",
    # 1: a connection model
    "locations",
    # 2: a model with secrets and markup
    "client.graphql.payment_service_providers(first=1).edges[0].node",
    # 3: a page
    "next(iter(client.graphql.iter_locations(page_size=2).pages()))",
    # 4: a paginator: displayed without a request
    """
paginator = client.graphql.iter_locations(page_size=2)
before = len(sandbox.requests)
paginator
""",
    # 5
    "assert len(sandbox.requests) == before, 'displaying the paginator made a request'",
    # 6: to_pandas
    """
frame = paginator.to_pandas()
assert {"ref", "primaryAddress.city", "retailer.ref"} <= set(frame.columns), frame.columns
frame
""",
    # 7: inventory update from a cell
    """
report = client.inventory.update(
    [{"skuRef": "SPEAKER001", "locationRef": "LOC_MELB", "qty": 11}],
    progress=False, poll_interval=0.01,
)
assert report.accepted == 1, report
report
""",
    # 8: top-level await with the async client
    """
aclient = sandbox.async_client()
connection = await aclient.graphql.locations(first=1)
frame = await aclient.graphql.iter_locations().to_pandas()
await aclient.aclose()
assert len(frame) == 3
connection
""",
    # 9: an error
    """
sandbox.faults.server_error("graphql", status=503, times=None)
try:
    client.graphql.locations(first=1)
except APIError as caught:
    error = caught
error
""",
]


@pytest.fixture
def kernel_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kernelspec for this interpreter found through ``JUPYTER_PATH`` (nothing installed)."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "fluent-sdk (jupyter test)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    for name in [name for name in os.environ if name.startswith("FLUENT_")]:
        monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    return work


def _html(cell: Any) -> str:
    for output in cell.outputs:
        if output.output_type in ("execute_result", "display_data") and "text/html" in output.data:
            return str(output.data["text/html"])
    raise AssertionError(f"no HTML output for {cell.source!r}: {cell.outputs}")


def test_notebook_cells_run_and_display(kernel_dir: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(source.strip()) for source in CELLS]
    )
    NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=120,
        resources={"metadata": {"path": str(kernel_dir)}},
    ).execute()

    problems = [
        (index, output.get("ename") or output.get("text", "")[:500])
        for index, cell in enumerate(notebook.cells)
        for output in cell.outputs
        if output.output_type == "error"
        or (output.output_type == "stream" and output.get("name") == "stderr")
    ]
    assert problems == []
    cells = notebook.cells
    assert "<b>Locations: 2 nodes</b>" in _html(cells[1])
    provider = _html(cells[2])
    assert "PSP-NB" in provider
    assert "&lt;b&gt;Pay&lt;/b&gt;" in provider
    assert "nb-secret-123" not in provider
    assert "nb-token-123" not in provider
    assert "<b>Page: 2 nodes</b>" in _html(cells[3])
    assert "Paginator over locations" in _html(cells[4])
    assert "dataframe" in _html(cells[6])
    assert "LOC_MELB" in _html(cells[6])
    assert "Inventory update" in _html(cells[7])
    assert "Locations: 1 nodes" in _html(cells[8])
    error = _html(cells[9])
    assert "<b>ServerError</b>" in error
    assert "503" in error
    assert "Locations" in error
    everything = json.dumps([cell.outputs for cell in cells])
    assert "nb-secret-123" not in everything
    assert "sandbox-secret" not in everything
