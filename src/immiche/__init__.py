"""immiche: a Python client and CLI for Immich people, faces and thumbnails."""

from immiche._version import __version__

__all__ = ["__version__"]
