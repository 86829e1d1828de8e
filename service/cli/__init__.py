"""The ``suivi`` command line."""
