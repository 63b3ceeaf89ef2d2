"""Profiles on disk: layout, current profile, listing, clearing, modes, names and broken files."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path

import pytest

from immiche import session
from immiche.errors import InvalidArgumentError, InvalidProfileName, SessionError
from immiche.session import (
    DEFAULT_PROFILE,
    ApiKey,
    BrokenProfileWarning,
    InsecurePermissionsWarning,
    Session,
    SessionStore,
)
from tests.session.conftest import API_KEY, CREATED, mode_of, tree

# -- where the config directory is ----------------------------------------------------------------


def test_immich_config_dir_wins(tmp_path: Path) -> None:
    env = {"IMMICH_CONFIG_DIR": str(tmp_path / "mine"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    assert SessionStore(environ=env).base == tmp_path / "mine"


def test_immich_config_dir_expands_the_home_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert SessionStore(environ={"IMMICH_CONFIG_DIR": "~/cfg"}).base == tmp_path / "cfg"


def test_xdg_config_home_comes_next(tmp_path: Path) -> None:
    assert SessionStore(environ={"XDG_CONFIG_HOME": str(tmp_path)}).base == tmp_path / "immich"


@pytest.mark.parametrize(
    "env", [{}, {"XDG_CONFIG_HOME": ""}, {"XDG_CONFIG_HOME": "relative/dir"}, {"IMMICH_CONFIG_DIR": ""}]
)
def test_otherwise_the_home_config_directory(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert SessionStore(environ=env).base == tmp_path / ".config" / "immich"


def test_module_functions_follow_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, api_key_session: Session
) -> None:
    monkeypatch.setenv("IMMICH_CONFIG_DIR", str(tmp_path / "env-root"))
    assert session.save(api_key_session, "home") == tmp_path / "env-root" / "profiles" / "home" / "session.json"
    assert session.load("home") == api_key_session
    assert session.base_config_dir() == tmp_path / "env-root"


def test_module_functions_take_another_root(tmp_path: Path, api_key_session: Session) -> None:
    root = tmp_path / "elsewhere"
    session.save(api_key_session, "work", base_dir=root)
    session.set_current_profile("work", base_dir=root)
    assert session.load(base_dir=root) == api_key_session
    assert session.get_current_profile(base_dir=root) == "work"
    assert session.list_profiles(base_dir=root) == ["work"]
    assert session.session_path(base_dir=root) == root / "profiles" / "work" / "session.json"
    assert session.config_dir("x", base_dir=str(root)) == root / "profiles" / "x"
    assert session.list_profiles() == []  # the default root is untouched
    assert session.clear("work", base_dir=root) is True
    assert session.load("work", base_dir=root) is None


# -- layout and round trip --------------------------------------------------------------------------


def test_layout_is_the_seeds(store: SessionStore, base: Path, api_key_session: Session) -> None:
    path = store.save(api_key_session, "home")
    store.set_current_profile("home")
    assert path == base / "profiles" / "home" / "session.json"
    assert tree(base) == ["config.json", "profiles", "profiles/home", "profiles/home/session.json"]
    assert json.loads((base / "config.json").read_text()) == {"current_profile": "home"}
    assert json.loads(path.read_text())["auth"]["key"] == API_KEY


def test_save_then_load_round_trips(store: SessionStore, api_key_session: Session, jwt_session: Session) -> None:
    store.save(api_key_session, "home")
    store.save(jwt_session, "work")
    assert store.load("home") == api_key_session
    assert store.load("work") == jwt_session


def test_save_replaces_the_previous_session(
    store: SessionStore, api_key_session: Session, jwt_session: Session
) -> None:
    store.save(api_key_session, "home")
    store.save(jwt_session, "home")
    assert store.load("home") == jwt_session
    assert tree(store.base / "profiles" / "home") == ["session.json"]


def test_save_overwrites_a_corrupt_session_when_asked_to(store: SessionStore, api_key_session: Session) -> None:
    path = store.config_dir("home") / "session.json"
    path.write_text("{garbage")
    store.save(api_key_session, "home")  # logging in again is the fix the error message suggests
    assert store.load("home") == api_key_session


def test_load_of_a_missing_session_is_none_and_creates_nothing(store: SessionStore, base: Path) -> None:
    assert store.load() is None
    assert store.load("other") is None
    assert not base.exists()


def test_save_rejects_what_is_not_a_session(store: SessionStore) -> None:
    with pytest.raises(InvalidArgumentError, match="save\\(\\) needs a Session, not dict"):
        store.save({"server_url": "x"}, "home")  # type: ignore[arg-type]


def test_base_and_profile_directories_are_created_on_demand(store: SessionStore, base: Path) -> None:
    assert store.base_config_dir() == base
    assert tree(base) == []
    assert store.config_dir() == base / "profiles" / DEFAULT_PROFILE
    assert store.config_dir("home") == base / "profiles" / "home"
    assert store.session_path("x") == base / "profiles" / "x" / "session.json"
    assert not (base / "profiles" / "x").exists()


# -- the current profile ----------------------------------------------------------------------------


def test_current_profile_defaults_to_default(store: SessionStore, base: Path) -> None:
    assert store.get_current_profile() == "default"
    assert not base.exists()


def test_set_current_profile_is_remembered(store: SessionStore, base: Path, api_key_session: Session) -> None:
    store.set_current_profile("work")
    assert store.get_current_profile() == "work"
    store.save(api_key_session)
    assert (base / "profiles" / "work" / "session.json").exists()
    assert store.load() == api_key_session
    assert store.clear() is True
    assert store.load("work") is None


def test_set_current_profile_keeps_other_settings(store: SessionStore, base: Path) -> None:
    base.mkdir(parents=True)
    (base / "config.json").write_text(json.dumps({"current_profile": "a", "color": "never"}))
    store.set_current_profile("b")
    assert json.loads((base / "config.json").read_text()) == {"current_profile": "b", "color": "never"}


def test_immich_profile_wins_over_config_json(base: Path, api_key_session: Session) -> None:
    SessionStore(base, environ={}).set_current_profile("home")
    env_store = SessionStore(base, environ={"IMMICH_PROFILE": "ci"})
    assert env_store.get_current_profile() == "ci"
    env_store.save(api_key_session)
    assert (base / "profiles" / "ci" / "session.json").exists()
    assert SessionStore(base, environ={"IMMICH_PROFILE": ""}).get_current_profile() == "home"


def test_module_functions_read_immich_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMMICH_PROFILE", "from-env")
    assert session.get_current_profile() == "from-env"


def test_an_invalid_immich_profile_is_named(base: Path) -> None:
    with pytest.raises(InvalidProfileName, match=re.escape("IMMICH_PROFILE: invalid profile name '../etc'")):
        SessionStore(base, environ={"IMMICH_PROFILE": "../etc"}).load()
    assert not base.exists()


def test_config_json_with_no_current_profile_means_default(store: SessionStore, base: Path) -> None:
    base.mkdir(parents=True)
    (base / "config.json").write_text("{}")
    assert store.get_current_profile() == "default"
    (base / "config.json").write_text('{"current_profile": null}')
    assert store.get_current_profile() == "default"


# -- listing ----------------------------------------------------------------------------------------


def test_list_profiles_is_sorted_and_only_holds_sessions(
    store: SessionStore, base: Path, api_key_session: Session
) -> None:
    assert store.list_profiles() == []
    for name in ("work", "Home", "default", "a.b-c_d"):
        store.save(api_key_session, name)
    store.config_dir("empty")  # a directory without a session
    (base / "profiles" / "plain-file").write_text("not a directory")
    (base / "profiles" / ".hidden").mkdir()
    (base / "profiles" / ".hidden" / "session.json").write_text(api_key_session.to_json())
    (base / "profiles" / "work" / ".session.json.x1y2.tmp").write_text("leftover")
    assert store.list_profiles() == ["Home", "a.b-c_d", "default", "work"]


def test_list_profiles_of_a_missing_or_odd_root_is_empty(tmp_path: Path) -> None:
    assert SessionStore(tmp_path / "nothing", environ={}).list_profiles() == []
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "profiles").write_text("a file")
    assert SessionStore(tmp_path / "f", environ={}).list_profiles() == []
    assert tree(tmp_path) == ["f", "f/profiles"]


def test_list_profiles_skips_and_reports_broken_entries(
    store: SessionStore, base: Path, api_key_session: Session
) -> None:
    store.save(api_key_session, "good")
    store.config_dir("truncated")
    (base / "profiles" / "truncated" / "session.json").write_text(api_key_session.to_json()[:40])
    store.config_dir("future")
    (base / "profiles" / "future" / "session.json").write_text(json.dumps({**api_key_session.to_dict(), "version": 9}))
    (base / "profiles" / "is-a-dir" / "session.json").mkdir(parents=True)
    (base / "profiles" / "bad name").mkdir()
    (base / "profiles" / "bad name" / "session.json").write_text(api_key_session.to_json())
    with pytest.warns(BrokenProfileWarning) as caught:
        assert store.list_profiles() == ["good"]
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 4
    assert "'bad name' is not a valid profile name" in messages[0]
    assert messages[1].startswith("skipping profile 'future': ")
    assert "unsupported session format version 9" in messages[1]
    assert messages[2].startswith("skipping profile 'is-a-dir': ")
    assert messages[3].startswith("skipping profile 'truncated': ")
    assert "immiche logout --profile truncated" in messages[3]
    assert all(API_KEY not in m for m in messages)
    # Nothing was dropped or rewritten.
    assert (base / "profiles" / "truncated" / "session.json").read_text() == api_key_session.to_json()[:40]


def test_list_profiles_warnings_point_at_the_caller(store: SessionStore, base: Path) -> None:
    store.config_dir("broken")
    (base / "profiles" / "broken" / "session.json").write_text("{")
    with pytest.warns(BrokenProfileWarning) as caught:
        session.list_profiles(base_dir=base)
    assert caught[0].filename == __file__


def test_list_profiles_reports_an_unreadable_profiles_directory(
    store: SessionStore, base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.config_dir("x")

    def denied(path: object) -> list[str]:
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(os, "listdir", denied)
    with pytest.raises(SessionError, match=r"cannot list .*profiles: Permission denied"):
        store.list_profiles()


# -- clearing ---------------------------------------------------------------------------------------


def test_clear_removes_the_file_and_the_empty_directory(
    store: SessionStore, base: Path, api_key_session: Session
) -> None:
    store.save(api_key_session, "home")
    store.save(api_key_session, "work")
    assert store.clear("home") is True
    assert tree(base / "profiles") == ["work", "work/session.json"]
    assert store.clear("home") is False
    assert store.list_profiles() == ["work"]


def test_clear_keeps_a_directory_holding_other_files(store: SessionStore, base: Path, api_key_session: Session) -> None:
    store.save(api_key_session, "home")
    (base / "profiles" / "home" / "notes.txt").write_text("mine")
    assert store.clear("home") is True
    assert tree(base / "profiles") == ["home", "home/notes.txt"]


def test_clear_removes_leftovers_of_interrupted_saves(
    store: SessionStore, base: Path, api_key_session: Session
) -> None:
    store.save(api_key_session, "home")
    (base / "profiles" / "home" / ".session.json.abc123.tmp").write_text(api_key_session.to_json())
    assert store.clear("home") is True
    assert tree(base / "profiles") == []


def test_clear_removes_a_corrupt_session(store: SessionStore, base: Path) -> None:
    store.config_dir("home")
    (base / "profiles" / "home" / "session.json").write_bytes(b"\x00\x01garbage")
    assert store.clear("home") is True
    assert store.load("home") is None


def test_clear_of_nothing_creates_nothing(store: SessionStore, base: Path) -> None:
    assert store.clear() is False
    assert store.clear("x") is False
    assert not base.exists()


def test_clear_reports_a_session_path_that_is_a_directory(store: SessionStore, base: Path) -> None:
    (base / "profiles" / "home" / "session.json").mkdir(parents=True)
    with pytest.raises(SessionError, match=r"cannot remove .*session\.json"):
        store.clear("home")


# -- file and directory modes -----------------------------------------------------------------------


def test_files_are_0600_and_directories_0700_whatever_the_umask(
    umask: int, store: SessionStore, base: Path, api_key_session: Session
) -> None:
    store.save(api_key_session, "home")
    store.set_current_profile("home")
    assert mode_of(base / "profiles" / "home" / "session.json") == 0o600
    assert mode_of(base / "config.json") == 0o600
    for directory in (base, base / "profiles", base / "profiles" / "home"):
        assert mode_of(directory) == 0o700, directory
    store.save(api_key_session, "home")  # replacing keeps the mode
    assert mode_of(base / "profiles" / "home" / "session.json") == 0o600
    assert store.load("home") == api_key_session  # and no warning: filterwarnings=error would raise it


def test_even_a_umask_of_0777_gives_usable_modes(store: SessionStore, base: Path, api_key_session: Session) -> None:
    old = os.umask(0o777)
    try:
        store.save(api_key_session, "home")
    finally:
        os.umask(old)
    assert mode_of(base) == mode_of(base / "profiles") == mode_of(base / "profiles" / "home") == 0o700
    assert mode_of(base / "profiles" / "home" / "session.json") == 0o600
    assert store.load("home") == api_key_session


def test_loose_profile_directories_are_tightened(store: SessionStore, base: Path, api_key_session: Session) -> None:
    (base / "profiles" / "home").mkdir(parents=True)
    for directory in (base, base / "profiles", base / "profiles" / "home"):
        directory.chmod(0o755)
    store.save(api_key_session, "home")
    assert mode_of(base / "profiles") == mode_of(base / "profiles" / "home") == 0o700
    # A directory the user chose (base=... or IMMICH_CONFIG_DIR) keeps its mode.
    assert mode_of(base) == 0o755


def test_tightening_keeps_owner_bits(store: SessionStore, base: Path) -> None:
    (base / "profiles" / "home").mkdir(parents=True)
    (base / "profiles" / "home").chmod(0o751)
    store.config_dir("home")
    assert mode_of(base / "profiles" / "home") == 0o700
    (base / "profiles" / "home").chmod(0o500 | 0o077)
    store.config_dir("home")
    assert mode_of(base / "profiles" / "home") == 0o500


def test_the_default_config_directory_is_tightened_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, api_key_session: Session
) -> None:
    default = tmp_path / "immich"
    default.mkdir(mode=0o777)
    default.chmod(0o777)
    store = SessionStore(environ={"XDG_CONFIG_HOME": str(tmp_path)})
    store.save(api_key_session, "home")
    assert mode_of(default) == 0o700
    assert (default / "profiles" / "home" / "session.json").exists()


def test_a_chosen_config_directory_that_does_not_exist_is_created_0700(tmp_path: Path) -> None:
    chosen = tmp_path / "a" / "b" / "immich"
    SessionStore(environ={"IMMICH_CONFIG_DIR": str(chosen)}).base_config_dir()
    assert mode_of(chosen) == 0o700
    assert mode_of(tmp_path / "a") & 0o077 == 0  # missing parents are created private as well


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o606])
def test_load_warns_about_a_session_file_others_can_access(
    mode: int, store: SessionStore, api_key_session: Session
) -> None:
    path = store.save(api_key_session, "home")
    path.chmod(mode)
    with pytest.warns(InsecurePermissionsWarning, match=rf"accessible by other users \(mode 0{mode:o}\)") as caught:
        assert store.load("home") == api_key_session
    text = str(caught[0].message)
    assert str(path) in text
    assert f"chmod 600 {path}" in text
    assert API_KEY not in text


def test_load_does_not_warn_for_0600_or_0400(store: SessionStore, api_key_session: Session) -> None:
    path = store.save(api_key_session, "home")
    path.chmod(0o400)
    assert store.load("home") == api_key_session


def test_the_permission_warning_points_at_the_caller(store: SessionStore, api_key_session: Session, base: Path) -> None:
    store.save(api_key_session, "home").chmod(0o644)
    with pytest.warns(InsecurePermissionsWarning) as caught:
        session.load("home", base_dir=base)
    assert caught[0].filename == __file__
    with pytest.warns(InsecurePermissionsWarning) as caught:
        store.load("home")
    assert caught[0].filename == __file__


# -- profile names ----------------------------------------------------------------------------------

GOOD_NAMES = ["a", "default", "Home", "A-b_c.d", "0", "a-", "_x", "x." * 32, "x" * 64]
BAD_NAMES = [
    "",
    "-",  # would read as an option on the command line ('immiche profile use -x')
    "-x",
    "--help",
    ".",
    "..",
    "../x",
    "../../etc/passwd",
    "a/b",
    "/abs",
    "a\\b",
    ".hidden",
    "a\x00b",
    "a\n",
    "\nb",
    "a b",
    " a",
    "é",
    "naïve",
    "Ⅻ",
    "١٢",  # Arabic-Indic digits match \d without re.ASCII
    "ｆｕｌｌ",
    "x" * 65,
    "a:b",
    "a*",
]


@pytest.mark.parametrize("name", GOOD_NAMES)
def test_good_profile_names_work(name: str, store: SessionStore, api_key_session: Session) -> None:
    assert session.validate_profile_name(name) == name
    store.save(api_key_session, name)
    store.set_current_profile(name)
    assert store.load() == api_key_session
    assert store.list_profiles() == [name]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_bad_profile_names_raise_and_touch_nothing(
    name: str, store: SessionStore, base: Path, tmp_path: Path, api_key_session: Session
) -> None:
    before = tree(tmp_path)
    calls = [
        lambda: store.save(api_key_session, name),
        lambda: store.load(name),
        lambda: store.clear(name),
        lambda: store.config_dir(name),
        lambda: store.session_path(name),
        lambda: store.set_current_profile(name),
        lambda: store.resolve_credentials(profile=name),
        lambda: session.save(api_key_session, name, base_dir=base),
    ]
    for call in calls:
        with pytest.raises(InvalidProfileName) as caught:
            call()
        assert isinstance(caught.value, SessionError)
        assert isinstance(caught.value, ValueError)
        assert "invalid profile name" in caught.value.message
        assert "64" in (caught.value.hint or "")
    assert tree(tmp_path) == before


@pytest.mark.parametrize("name", [5, b"home", ["home"]])
def test_non_string_profile_names_raise(name: object, store: SessionStore) -> None:
    with pytest.raises(InvalidProfileName):
        store.load(name)  # type: ignore[arg-type]


def test_a_long_bad_name_is_shortened_in_the_message() -> None:
    with pytest.raises(InvalidProfileName) as caught:
        session.validate_profile_name("/" * 500)
    assert len(caught.value.message) < 150


# -- corrupt files ----------------------------------------------------------------------------------

CORRUPT_SESSIONS = {
    "empty": b"",
    "truncated": Session("https://h", ApiKey(API_KEY), CREATED).to_json().encode()[:50],
    "garbage": b"\x89PNG\r\n\x1a\n",
    "not-an-object": b"[1, 2]",
    "wrong-version": b'{"version": 7}',
    "missing-auth": json.dumps({"version": 1, "server_url": "https://h", "created_at": CREATED}).encode(),
    "huge": b" " * (1024 * 1024 + 10) + b"{}",
}


@pytest.mark.parametrize("content", CORRUPT_SESSIONS.values(), ids=CORRUPT_SESSIONS.keys())
def test_a_corrupt_session_raises_naming_the_file_and_the_fix(content: bytes, store: SessionStore, base: Path) -> None:
    path = store.config_dir("home") / "session.json"
    path.write_bytes(content)
    os.chmod(path, 0o600)
    with pytest.raises(SessionError) as caught:
        store.load("home")
    error = caught.value
    assert type(error) is SessionError
    assert f"the session file {path} is corrupt" in error.message
    assert error.hint == f"run 'immiche logout --profile home' (or delete {path}) and log in again"
    assert API_KEY not in str(error)
    assert path.read_bytes() == content  # never rewritten or dropped
    with pytest.warns(BrokenProfileWarning, match="skipping profile 'home'"):
        assert store.list_profiles() == []
    assert path.read_bytes() == content


def test_a_session_path_that_is_a_directory_or_a_fifo_is_reported(store: SessionStore, base: Path) -> None:
    (base / "profiles" / "a" / "session.json").mkdir(parents=True)
    with pytest.raises(SessionError, match=r"cannot read .*a/session.json"):
        store.load("a")
    store.config_dir("b")
    os.mkfifo(base / "profiles" / "b" / "session.json")
    with pytest.raises(SessionError, match=r"cannot read .*b/session.json: Not a regular file"):
        store.load("b")  # and it does not hang waiting for a writer


def test_a_profile_entry_that_is_a_file_holds_no_session(store: SessionStore, base: Path) -> None:
    (base / "profiles").mkdir(parents=True)
    (base / "profiles" / "home").write_text("x")
    assert store.load("home") is None


CORRUPT_CONFIGS = {
    "truncated": b'{"current_profile": "ho',
    "not-an-object": b'"home"',
    "bad-name": b'{"current_profile": "../../x"}',
    "not-a-string": b'{"current_profile": 3}',
    "binary": b"\xff\xfe\x00",
}


@pytest.mark.parametrize("content", CORRUPT_CONFIGS.values(), ids=CORRUPT_CONFIGS.keys())
def test_a_corrupt_config_json_raises_and_is_kept(
    content: bytes, store: SessionStore, base: Path, api_key_session: Session
) -> None:
    base.mkdir(parents=True)
    config = base / "config.json"
    config.write_bytes(content)
    for call in (
        store.get_current_profile,
        store.load,
        lambda: store.save(api_key_session),
        lambda: store.set_current_profile("x"),
    ):
        with pytest.raises(SessionError) as caught:
            call()
        assert f"{config} is corrupt" in caught.value.message
        assert caught.value.hint == f"fix or delete {config} (the current profile then falls back to 'default')"
    assert config.read_bytes() == content
    # An explicit profile does not need config.json.
    store.save(api_key_session, "home")
    assert store.load("home") == api_key_session


# -- unwritable places ------------------------------------------------------------------------------


def test_a_config_directory_blocked_by_a_file_is_a_clear_error(tmp_path: Path, api_key_session: Session) -> None:
    (tmp_path / "blocker").write_text("a file where a directory should be")
    store = SessionStore(tmp_path / "blocker" / "immich", environ={})
    with pytest.raises(SessionError, match=r"cannot create the directory .*blocker/immich: Not a directory") as caught:
        store.save(api_key_session, "home")
    assert caught.value.hint is not None
    assert isinstance(caught.value.__cause__, OSError)
    with pytest.raises(SessionError, match="cannot create the directory"):
        store.set_current_profile("home")


def test_a_config_directory_without_write_permission_is_a_clear_error(
    store: SessionStore, base: Path, api_key_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Tests run as root in CI, where chmod cannot take write access away: refuse mkdir instead.
    real_mkdir = os.mkdir

    def mkdir(path: object, mode: int = 0o777) -> None:
        if str(path).startswith(str(base)):
            raise PermissionError(13, "Permission denied", str(path))
        real_mkdir(path, mode)  # type: ignore[call-overload]

    monkeypatch.setattr(os, "mkdir", mkdir)
    with pytest.raises(SessionError) as caught:
        store.save(api_key_session, "home")
    assert str(caught.value) == (
        f"cannot create the directory {base}: Permission denied (check that {base.parent} exists and is writable by you)"
    )


def test_a_read_only_profile_directory_is_a_clear_error(
    store: SessionStore, api_key_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    directory = store.config_dir("home")
    import immiche._atomic

    def mkstemp(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(immiche._atomic, "_open_temp", mkstemp)
    with pytest.raises(SessionError) as caught:
        store.save(api_key_session, "home")
    assert caught.value.message == f"cannot save the session to {directory / 'session.json'}: Permission denied"
    assert "any previous session is unchanged" in (caught.value.hint or "")
    with pytest.raises(SessionError, match=r"cannot write .*config.json: Permission denied"):
        store.set_current_profile("home")


def test_session_file_mode_bits_are_exact(store: SessionStore, api_key_session: Session) -> None:
    path = store.save(api_key_session, "home")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
