"""The progress bar of long runs (``inventory.update``, ``events.send_many``): a tqdm bar on a
terminal or in a notebook, nothing elsewhere.

tqdm is the optional ``progress`` extra: without it there is no bar and no error. In a Jupyter
kernel ``tqdm.auto`` draws a widget, which needs ipywidgets; without them it would warn and draw
nothing, so such a kernel gets the plain text bar::

    bar = ProgressBar.start(enabled=True, total=None, unit="event", desc="events")
    bar.advance(1, "complete=1, failed=0")
    bar.close()
"""

from __future__ import annotations

import importlib.util
import sys
from typing import Any

__all__ = ["ProgressBar", "in_notebook", "interactive", "progress_bar"]


def interactive() -> bool:
    """A terminal on stderr, or a notebook kernel (where tqdm.auto draws a widget)."""
    try:
        if sys.stderr is not None and sys.stderr.isatty():
            return True
    except (AttributeError, ValueError):  # replaced or closed stderr
        pass
    return in_notebook()


def in_notebook() -> bool:
    """Running in a Jupyter kernel (IPython with a kernel attached)."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if callable(get_ipython) else None
    return shell is not None and hasattr(shell, "kernel")


def progress_bar(
    total: int | None, *, unit: str, desc: str, notebook: bool | None = None, initial: int = 0
) -> Any:
    """A tqdm bar, or None without tqdm. ``notebook`` overrides the kernel detection."""
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is the optional "progress" extra
        return None
    if notebook is None:
        notebook = in_notebook()
    if notebook and importlib.util.find_spec("ipywidgets") is None:
        from tqdm.std import tqdm
    return tqdm(total=total, unit=unit, desc=desc, dynamic_ncols=True, initial=initial)


class ProgressBar:
    """A tqdm bar when wanted and possible; otherwise every call does nothing."""

    def __init__(self, bar: Any = None) -> None:
        self._bar = bar

    @classmethod
    def start(
        cls, *, enabled: bool, total: int | None, unit: str, desc: str, initial: int = 0
    ) -> ProgressBar:
        """A bar when ``enabled`` and stderr is a terminal (or this is a notebook)."""
        wanted = enabled and interactive()
        bar = progress_bar(total, unit=unit, desc=desc, initial=initial) if wanted else None
        return cls(bar)

    @property
    def active(self) -> bool:
        return self._bar is not None

    def advance(self, count: int, postfix: str | None = None) -> None:
        if self._bar is not None:
            self._bar.update(count)
            if postfix is not None:
                # A string: tqdm's number formatting would show 20000 as "2e+4".
                self._bar.set_postfix_str(postfix, refresh=False)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
