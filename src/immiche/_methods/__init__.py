"""The public methods of :class:`~immiche.Client` and :class:`~immiche.AsyncClient`, one module per resource.

Each method is one line over an operation of :mod:`immiche._ops`: it is written once, async, in
``_async/<resource>.py``; ``tools/unasync.py`` writes the ``_sync/`` twin (``make unasync``; ``make
lint`` checks it is current), so the two clients cannot drift apart. The clients inherit the
method groups; the drivers (``_run``, ``_iterate``, ``_download_many``) stay in :mod:`immiche.client`.
"""
