"""httpx, imported the way ``immich_client`` imports it: without httpx's own command-line extras.

``import httpx`` also imports click, rich and pygments when they are installed (immiche's CLI
installs them), doubling its import time (encode/httpx#3547). ``immich_client/__init__.py`` imports
httpx without them; importing it first here gives every immiche module the same lean httpx.
"""

# isort: off
import immich_client  # noqa: F401 (must come first: it imports httpx without the extras)
import httpx

# isort: on

__all__ = ["httpx"]
