"""REST handlers of the sandbox, one module per Fluent service."""

__all__: list[str] = []
