"""A fake Immich server for tests: stateful, standard library only, started in-process.

::

    from immiche.testing import FakeImmichServer

    with FakeImmichServer(people=50, version="2.4.1") as server:
        client = MyScript(server.url, api_key=server.api_key)
        ...
        assert server.requests[-1].path == "/api/people"

In pytest, add ``pytest_plugins = ["immiche.testing.pytest_plugin"]`` to your top-level
``conftest.py`` and use the ``immich_server`` and ``immich_server_factory`` fixtures. From a
shell: ``python -m immiche.testing --port 2283``.
"""

from immiche.testing._faults import Fault, FaultKind, Faults
from immiche.testing._media import FakeAlbum, FakeAsset, FakeFace
from immiche.testing._models import CredentialKind, FakePerson, FakeUser, RecordedRequest, RecordedResponse
from immiche.testing._modes import Mode
from immiche.testing._server import FakeImmichServer

__all__ = [
    "CredentialKind",
    "FakeAlbum",
    "FakeAsset",
    "FakeFace",
    "FakeImmichServer",
    "FakePerson",
    "FakeUser",
    "Fault",
    "FaultKind",
    "Faults",
    "Mode",
    "RecordedRequest",
    "RecordedResponse",
]
