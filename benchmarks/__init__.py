"""formcheck benchmarks: ``.venv/bin/python -m benchmarks`` runs them all (see README)."""
