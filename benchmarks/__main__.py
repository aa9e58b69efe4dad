"""``python -m benchmarks``: run every benchmark, print a table, write benchmarks/results.json."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.import_time import measure_import


def main() -> None:
    results = {**measure_import()}
    width = max(len(name) for name in results)
    print(f"{'figure':<{width}}  {'value':>10}  {'baseline':>10}  {'ratio':>6}  target  met")
    for name, row in results.items():
        print(
            f"{name:<{width}}  {row['value']:>10.4f}  {row['baseline']:>10.4f}  "
            f"{row['ratio']:>6.2f}  {row['target']:>6}  {'yes' if row['met'] else 'NO'}"
        )
    path = Path(__file__).with_name("results.json")
    path.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
