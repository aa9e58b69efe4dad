"""docs/notebooks/*.ipynb run headless and clean, and are committed without outputs."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from .docs_examples import DOCS

NOTEBOOKS = sorted((DOCS / "notebooks").glob("*.ipynb"))
KERNEL_NAME = "fluent-sdk-docs"


def test_notebooks_exist() -> None:
    assert [path.name for path in NOTEBOOKS] == ["quickstart.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_is_committed_without_outputs(path: Path) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: clear the outputs before committing"
            assert cell["execution_count"] is None


@pytest.fixture
def kernel_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kernelspec for this interpreter (the venv's), found through ``JUPYTER_PATH``: nothing
    is installed anywhere, and a user-level ``python3`` kernel cannot be picked by mistake."""
    spec = tmp_path / "jupyter" / "kernels" / KERNEL_NAME
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "fluent-sdk (test)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    # Use the platformdirs locations now (jupyter_core warns about the switch otherwise) and
    # keep runtime files (connection files) in the temporary folder.
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    for name in [name for name in __import__("os").environ if name.startswith("FLUENT_")]:
        monkeypatch.delenv(name)
    work = tmp_path / "work"
    work.mkdir()
    return work


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_clean(path: Path, kernel_dir: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    NotebookClient(
        notebook,
        kernel_name=KERNEL_NAME,
        timeout=120,
        resources={"metadata": {"path": str(kernel_dir)}},
    ).execute()

    problems = [
        (index, output.get("ename") or output.get("text", "")[:500])
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.output_type == "error"
        or (output.output_type == "stream" and output.get("name") == "stderr")
    ]
    assert problems == []
    # The notebook really ran: the last table has rows, the report was printed.
    texts = [
        output.get("text", "") + json.dumps(output.get("data", {}))
        for cell in notebook.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
    ]
    assert any("InventoryUpdateReport" in text for text in texts)
    assert any("SPEAKER001" in text for text in texts)
