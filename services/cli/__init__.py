"""The `smart` command line."""
