"""The platform fixtures of the connector tests (fake Zalo and Graph servers on 127.0.0.1)."""

from tests.connectors.conftest import platforms

__all__ = ["platforms"]
