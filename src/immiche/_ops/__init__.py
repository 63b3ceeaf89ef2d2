"""The facade's operations by API area, each module holding its declarations next to its generators.

:mod:`.server` (server and authentication), :mod:`.people` (people and their thumbnails) and
:mod:`.workflows` (multi-call recipes written once from the others with ``yield from``). A module
declares ``OPERATIONS`` and ``MODELS``; :mod:`immiche._contract` gathers them for
:mod:`immiche.compat`. Each generator takes the :class:`~immiche._engine.engine.Engine` first and
yields effects (:mod:`immiche._engine.effects`) that both drivers carry out.
"""
