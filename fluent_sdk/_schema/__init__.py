"""GraphQL schema pipeline: import to SDL, recorded fixes, diff, and operation documents.

Nothing here is imported by ``import fluent_sdk``; import the submodules you need.
"""

from fluent_sdk._schema.source import SchemaSourceError, load_schema, read_schema_file

__all__ = ["SchemaSourceError", "load_schema", "read_schema_file"]
