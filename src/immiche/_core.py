"""Where two names other modules import used to live; the engine itself is :mod:`immiche._engine`.

Kept only for those imports (``immiche/__init__.py`` and the CLI); new code imports from
:mod:`immiche._engine` (``discovery.ImmichVersionWarning``, ``ids.check_person_id``).
"""

from __future__ import annotations

from immiche._engine.discovery import ImmichVersionWarning
from immiche._engine.ids import check_person_id

__all__ = ["ImmichVersionWarning", "check_person_id"]
