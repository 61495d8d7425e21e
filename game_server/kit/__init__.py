"""The kernel: what every domain may use (database, errors, settings, clock, pub/sub, the
unit of work). It imports no domain; `make lint` checks it (import-linter, pyproject.toml)."""
