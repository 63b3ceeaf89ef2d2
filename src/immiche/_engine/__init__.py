"""The I/O-free engine shared by :class:`immiche.Client` and :class:`immiche.AsyncClient`.

Split by concern: :mod:`.effects` (what an operation asks its driver to do), :mod:`.engine`
(build a request from its declared operation, send it with the operation's retry rule, map the
status, parse the declared response), :mod:`.transport` (transport failures), :mod:`.discovery`
(finding the API root), :mod:`.downloads` (where and what a download may write) and :mod:`.ids`
(ids checked before they reach a URL). The operations themselves live by API area in
:mod:`immiche._ops`.
"""
