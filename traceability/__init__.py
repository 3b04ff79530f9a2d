"""See ARCHITECTURE.md; built by its own issue."""
