"""Figure 2, import cost: ``import fluent_sdk`` (and ``from fluent_sdk import FluentClient``)
against ``import httpx, pydantic``, each the median CPU time (user + system) of fresh
interpreter processes (target <= 1.5x). ``import_graphql_first_access`` (for information)
adds building a client and the first ``client.graphql`` access, which imports the generated
typed client."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys

from benchmarks._harness import Figure, figure

__all__ = ["UNITS", "measure_import"]

UNITS = {
    "import_fluent_sdk": "s",
    "import_fluent_client": "s",
    "import_graphql_first_access": "s",
}
_FIRST_ACCESS = (
    "from fluent_sdk import FluentClient; "
    "FluentClient(base_url='https://acme.api.fluentretail.com', token='t').graphql"
)


def _child_cpu_seconds(statement: str) -> float:
    """CPU time (user + system) of one fresh interpreter running ``statement``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([sys.executable, "-c", statement], check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure_import(runs: int = 15) -> dict[str, Figure]:
    cases: tuple[tuple[str, str, float | None], ...] = (
        ("import_fluent_sdk", "import fluent_sdk", 1.5),
        ("import_fluent_client", "from fluent_sdk import FluentClient", 1.5),
        ("import_graphql_first_access", _FIRST_ACCESS, None),
    )
    statements = {"baseline": "import httpx, pydantic"}
    statements.update({name: statement for name, statement, _ in cases})
    samples: dict[str, list[float]] = {name: [] for name in statements}
    for _ in range(runs):  # interleaved, so load from elsewhere hits every case alike
        for name, statement in statements.items():
            samples[name].append(_child_cpu_seconds(statement))
    baseline = statistics.median(samples["baseline"])
    return {
        name: figure(statistics.median(samples[name]), baseline, target)
        for name, _, target in cases
    }
