"""Paths used by the schema pipeline tests."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "COMMITTED_SDL",
    "DATA_DIR",
    "EXPECTED_OPERATIONS_DIR",
    "GENERATED_DIR",
    "GRAPHQL_DIR",
    "OPERATIONS_DIR",
    "PACKAGE_SDL",
    "REPO_ROOT",
    "SHARED_SCHEMA_JSON",
    "TINY_SCHEMA",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
GRAPHQL_DIR = REPO_ROOT / "graphql"
COMMITTED_SDL = GRAPHQL_DIR / "schema.graphql"
PACKAGE_SDL = REPO_ROOT / "fluent_sdk" / "_generated" / "schema.graphql"
OPERATIONS_DIR = GRAPHQL_DIR / "operations"
GENERATED_DIR = OPERATIONS_DIR / "generated"
DATA_DIR = Path(__file__).resolve().parent / "data"
TINY_SCHEMA = DATA_DIR / "tiny_schema.graphql"
EXPECTED_OPERATIONS_DIR = DATA_DIR / "expected_operations"
# The contract lives outside the repo; tests that need it skip where it is absent.
SHARED_SCHEMA_JSON = REPO_ROOT.parent / "shared" / "fluent-schema" / "schema.json"
