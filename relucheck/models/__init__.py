"""See architecture.md."""
