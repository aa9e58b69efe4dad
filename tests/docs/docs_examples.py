"""Find the ```python examples of a docs page and run them the way CONTRIBUTING.md describes.

A page is read top to bottom. Each ```python fence becomes an `Example` with:

- ``tab``: the label of the enclosing material content tab (``=== "Sync"``), if any;
- ``mode``: from a ``<!-- docs-test: MODE -->`` comment on the line before the fence:
  ``run`` (default), ``skip`` (needs a real Fluent account: only compiled) or ``pytest``
  (a test module: run with pytest in a subprocess).

Tracks: every page runs once as the *sync* track (all blocks except ``Async`` tabs, with
``client`` a `FluentClient`); a page with ``Async`` tabs runs a second time as the *async* track
(all blocks except ``Sync`` tabs, with ``client`` an `AsyncFluentClient`, top-level ``await``
allowed). Each track gets its own fresh sandbox, and blocks share one namespace, in order.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "DOCS",
    "Example",
    "extract_examples",
    "pages",
    "run_pytest_example",
    "run_track",
    "tracks_of",
]

DOCS = Path(__file__).resolve().parents[2] / "docs"

_FENCE_OPEN = re.compile(
    r"^(?P<indent>[ \t]*)(?P<ticks>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)(?P<rest>.*)$"
)
_TAB = re.compile(r'^(?P<indent>[ \t]*)===\+?\s+"(?P<label>[^"]+)"\s*$')
_MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(?P<mode>[\w-]+)\s*-->\s*$")
_PYTHON = {"python", "py", "python3"}
MODES = {"run", "skip", "pytest"}
ASYNC_TAB = "Async"
SYNC_TAB = "Sync"


@dataclass(frozen=True)
class Example:
    page: str
    line: int  # 1-based line of the opening fence
    code: str
    tab: str | None
    mode: str

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


def _indent_width(text: str) -> int:
    return len(text.expandtabs(4)) - len(text.expandtabs(4).lstrip(" "))


def extract_examples(text: str, page: str = "<page>") -> list[Example]:
    """Every fenced ```python block of a markdown page, with its tab and test mode."""
    lines = text.splitlines()
    examples: list[Example] = []
    tabs: list[tuple[int, str]] = []  # (indent of the `===` line, label), innermost last
    pending_mode: str | None = None
    index = 0
    while index < len(lines):
        line = lines[index]
        stripped = line.strip()
        if stripped:
            width = _indent_width(line)
            while tabs and width <= tabs[-1][0] and not _TAB.match(line):
                tabs.pop()
            tab_match = _TAB.match(line)
            if tab_match:
                while tabs and tabs[-1][0] >= width:
                    tabs.pop()
                tabs.append((width, tab_match["label"]))
                index += 1
                continue
        marker = _MARKER.match(line)
        if marker:
            mode = marker["mode"]
            if mode not in MODES:
                raise ValueError(f"{page}:{index + 1}: unknown docs-test mode {mode!r}")
            pending_mode = mode
            index += 1
            continue
        fence = _FENCE_OPEN.match(line)
        if fence:
            indent, ticks, lang = fence["indent"], fence["ticks"], fence["lang"].lower()
            start = index
            body: list[str] = []
            index += 1
            while index < len(lines):
                closing = lines[index].strip()
                if closing.startswith(ticks) and set(closing) <= set(ticks[0]):
                    break
                body.append(lines[index])
                index += 1
            else:
                raise ValueError(f"{page}:{start + 1}: unclosed code fence")
            if lang in _PYTHON:
                prefix = len(indent.expandtabs(4))
                code = "\n".join(b.expandtabs(4)[prefix:] if b.strip() else "" for b in body)
                examples.append(
                    Example(
                        page=page,
                        line=start + 1,
                        code=textwrap.dedent(code) + "\n",
                        tab=tabs[-1][1] if tabs else None,
                        mode=pending_mode or "run",
                    )
                )
            elif pending_mode is not None:
                raise ValueError(f"{page}:{start + 1}: docs-test marker before a non-Python fence")
            pending_mode = None
            index += 1
            continue
        if stripped and pending_mode is not None:
            raise ValueError(f"{page}:{index + 1}: docs-test marker must precede a code fence")
        index += 1
    return examples


def pages() -> list[Path]:
    return sorted(path for path in DOCS.rglob("*.md"))


def tracks_of(examples: list[Example]) -> list[str]:
    """``["sync"]``, plus ``"async"`` when the page has an ``Async`` tab."""
    runnable = [e for e in examples if e.mode != "skip"]
    if not runnable:
        return []
    tracks = ["sync"]
    if any(e.tab == ASYNC_TAB for e in runnable):
        tracks.append("async")
    return tracks


def in_track(example: Example, track: str) -> bool:
    if track == "sync":
        return example.tab != ASYNC_TAB
    return example.tab != SYNC_TAB


def compile_example(example: Example, *, top_level_await: bool) -> Any:
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT if top_level_await else 0
    # Line numbers in tracebacks point into the markdown page.
    source = "\n" * example.line + example.code
    return compile(source, str(DOCS / example.page), "exec", flags=flags, dont_inherit=True)


def run_track(examples: list[Example], track: str, namespace: dict[str, Any]) -> int:
    """Run the page's examples of ``track`` in order in ``namespace``; returns how many ran."""
    ran = 0
    loop = asyncio.new_event_loop() if track == "async" else None
    try:
        for example in examples:
            if not in_track(example, track) or example.mode != "run":
                continue
            code = compile_example(example, top_level_await=track == "async")
            try:
                result = eval(code, namespace)
                if inspect.iscoroutine(result):
                    assert loop is not None
                    loop.run_until_complete(result)
            except BaseException as exc:
                exc.add_note(f"in the example at docs/{example.where} ({track} track)")
                raise
            ran += 1
        if loop is not None:
            close = namespace.get("client")
            if close is not None and hasattr(close, "aclose"):
                loop.run_until_complete(close.aclose())
    finally:
        if loop is not None:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()
    return ran


def run_pytest_example(example: Example, folder: Path) -> subprocess.CompletedProcess[str]:
    """Write a ``pytest`` example to ``folder`` as a test module and run pytest on it."""
    module = folder / f"test_docs_example_{example.line}.py"
    module.write_text(example.code, encoding="utf-8")
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-W",
            "error",
            "-p",
            "no:cacheprovider",
            # What a project using pytest-asyncio sets; unset, pytest-asyncio warns.
            "-o",
            "asyncio_default_fixture_loop_scope=function",
            str(module),
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def iter_all() -> Iterator[tuple[str, list[Example]]]:
    for path in pages():
        page = path.relative_to(DOCS).as_posix()
        yield page, extract_examples(path.read_text(encoding="utf-8"), page)
