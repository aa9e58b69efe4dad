"""``python -m benchmarks``: run the benchmarks, print a table, write benchmarks/results.json.

``--quick`` uses fewer repeats and smaller sizes (for a fast check, not for the record);
``--only NAME`` (repeatable) runs some of: import, graphql_call, pagination, inventory,
concurrency, events, nested. With ``--only`` the figures measured replace theirs in an existing
results.json.

results.json maps each figure to ``{"value", "baseline", "ratio", "target", "met"}``; times are
seconds, memory bytes; ``target``/``met`` are null for rows given for information.
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable
from pathlib import Path

from benchmarks._harness import Figure, Units

__all__ = ["BENCHMARKS", "format_table", "main", "run"]

RESULTS = Path(__file__).with_name("results.json")


def _import(quick: bool) -> tuple[dict[str, Figure], Units]:
    from benchmarks.import_time import UNITS, measure_import

    return measure_import(runs=5 if quick else 15), UNITS


def _graphql_call(quick: bool) -> tuple[dict[str, Figure], Units]:
    from benchmarks.graphql_call import UNITS, measure_graphql_call

    if quick:
        return measure_graphql_call(calls=10, repeats=5), UNITS
    return measure_graphql_call(), UNITS


def _pagination(quick: bool) -> tuple[dict[str, Figure], Units]:
    from benchmarks.pagination import UNITS, measure_pagination

    if quick:
        return measure_pagination(nodes=20_000, repeats=1), UNITS
    return measure_pagination(), UNITS


def _inventory(quick: bool) -> tuple[dict[str, Figure], Units]:
    from benchmarks.inventory import UNITS, measure_inventory

    if quick:
        return measure_inventory(small=10_000, large=100_000, repeats=1), UNITS
    return measure_inventory(), UNITS


def _concurrency(quick: bool) -> tuple[dict[str, Figure], Units]:
    from benchmarks.concurrency import UNITS, measure_concurrency

    if quick:
        return measure_concurrency(batches=24, repeats=1), UNITS
    return measure_concurrency(), UNITS


def _events(quick: bool) -> tuple[dict[str, Figure], Units]:
    from benchmarks.events import UNITS, measure_events

    if quick:
        return measure_events(events=24, repeats=1), UNITS
    return measure_events(), UNITS


def _nested(quick: bool) -> tuple[dict[str, Figure], Units]:
    from benchmarks.nested import UNITS, measure_nested

    if quick:
        return measure_nested(repeats=1), UNITS
    return measure_nested(), UNITS


BENCHMARKS: dict[str, Callable[[bool], tuple[dict[str, Figure], Units]]] = {
    "import": _import,
    "graphql_call": _graphql_call,
    "pagination": _pagination,
    "inventory": _inventory,
    "concurrency": _concurrency,
    "events": _events,
    "nested": _nested,
}


def _show(value: float | bool | None, unit: str) -> str:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "-"
    if unit == "s":
        return f"{value * 1000:.3f} ms"
    if unit == "B":
        return f"{value / 2**20:.1f} MiB"
    return f"{value:.4g}"


def format_table(results: dict[str, Figure], units: Units) -> str:
    width = max([len("figure"), *(len(name) for name in results)])
    lines = [f"{'figure':<{width}}  {'value':>12}  {'baseline':>12}  {'ratio':>6}  target  met"]
    for name, row in results.items():
        unit = units.get(name, "")
        ratio = row["ratio"]
        target = row["target"]
        met = row["met"]
        lines.append(
            f"{name:<{width}}  {_show(row['value'], unit):>12}  "
            f"{_show(row['baseline'], unit):>12}  "
            f"{ratio if isinstance(ratio, str) else f'{ratio:.2f}':>6}  "
            f"{'-' if target is None else f'<={target}':>6}  "
            f"{'info' if met is None else ('yes' if met else 'NO')}"
        )
    return "\n".join(lines)


def run(names: list[str], *, quick: bool) -> tuple[dict[str, Figure], Units]:
    results: dict[str, Figure] = {}
    units: Units = {}
    for name in names:
        figures, figure_units = BENCHMARKS[name](quick)
        results.update(figures)
        units.update(figure_units)
    return results, units


def _jsonable(results: dict[str, Figure]) -> dict[str, Figure]:
    """inf/nan are not JSON: write them as null."""
    return {
        name: {
            key: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for key, v in row.items()
        }
        for name, row in results.items()
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller sizes")
    parser.add_argument(
        "--only", action="append", choices=sorted(BENCHMARKS), metavar="NAME", help="run only NAME"
    )
    parser.add_argument("--output", type=Path, default=RESULTS, help="results file to write")
    args = parser.parse_args(argv)
    names = args.only or list(BENCHMARKS)
    results, units = run(names, quick=args.quick)
    print(format_table(results, units))
    merged: dict[str, Figure] = {}
    if args.only and args.output.exists():
        merged = json.loads(args.output.read_text(encoding="utf-8"))
    merged.update(_jsonable(results))
    args.output.write_text(json.dumps(merged, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
