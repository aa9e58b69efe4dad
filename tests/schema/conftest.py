"""Fixtures for the schema pipeline tests."""

from __future__ import annotations

import json
from typing import Any

import pytest
from graphql import GraphQLSchema
from schema_test_paths import SHARED_SCHEMA_JSON, TINY_SCHEMA

from fluent_sdk._schema.source import read_schema_file


@pytest.fixture(scope="session")
def shared_introspection() -> dict[str, Any]:
    """The published Fluent introspection result (skips where ../shared is absent)."""
    if not SHARED_SCHEMA_JSON.is_file():
        pytest.skip(f"{SHARED_SCHEMA_JSON} is not present")
    data: dict[str, Any] = json.loads(SHARED_SCHEMA_JSON.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def tiny_schema() -> GraphQLSchema:
    """A fresh copy of the small hand-written test schema."""
    return read_schema_file(TINY_SCHEMA)
