"""The ``immiche`` logger: the library's own decisions (retries and why, discovery, fallbacks).

immiche never configures logging itself. Attach a handler to ``logging.getLogger("immiche")``
(the CLI's ``-v`` does) to see them; credentials never appear in these messages.
"""

from __future__ import annotations

import logging

__all__ = ["logger"]

logger = logging.getLogger("immiche")
