"""The documentation site builds with ``mkdocs build --strict`` (broken links, missing pages,
unknown API names and griffe warnings all fail), without network access."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_mkdocs_build_strict(tmp_path: Path) -> None:
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    site = tmp_path / "site"
    assert (site / "index.html").is_file()
    reference = (site / "reference" / "client" / "index.html").read_text(encoding="utf-8")
    assert 'id="fluent_sdk._client.FluentClient.from_profile"' in reference
    assert (site / "notebooks" / "quickstart.ipynb").is_file()


def test_no_network_plugins() -> None:
    """Only plugins that work offline: search and mkdocstrings (no social/privacy cards, no
    object inventories fetched from the web)."""
    config = yaml.load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader)
    names = [next(iter(p)) if isinstance(p, dict) else p for p in config["plugins"]]
    assert names == ["search", "mkdocstrings"]
    assert "inventories" not in str(config["plugins"])
    assert config["theme"]["font"] == "false"
