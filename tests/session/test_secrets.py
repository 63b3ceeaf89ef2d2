"""No key or token ever appears in a str(), a repr(), an error (message, hint, cause, traceback) or a warning."""

from __future__ import annotations

import errno
import json
import os
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from immiche.errors import ImmichError
from immiche.session import ApiKey, Jwt, Session, SessionStore, is_expired, is_jwt_expired
from tests.session.conftest import ACCESS_TOKEN, API_KEY, CREATED

SECRETS = (API_KEY, ACCESS_TOKEN)


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        # Not the secret, nor any part of it longer than the 4 characters the mask shows.
        assert secret[:-4] not in text
        assert secret[:8] not in text
        assert secret[4:12] not in text


def texts_of_error(error: BaseException) -> Iterator[str]:
    yield str(error)
    yield repr(error)
    yield "".join(traceback.format_exception(type(error), error, error.__traceback__))
    if isinstance(error, ImmichError):
        yield error.message
        yield error.hint or ""
    cause = error.__cause__ or error.__context__
    if cause is not None:
        yield from texts_of_error(cause)


def run_and_collect(call: Callable[[], Any]) -> list[str]:
    """Every text a call produces: its result's str/repr, its error, its warnings."""
    texts: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call()
        except Exception as error:
            texts.extend(texts_of_error(error))
        else:
            texts.extend([str(result), repr(result)])
    texts.extend(str(w.message) for w in caught)
    return texts


def test_values_display_masked(api_key_session: Session, jwt_session: Session, base: Path) -> None:
    env = {"IMMICH_INSTANCE_URL": "https://h", "IMMICH_API_KEY": API_KEY}
    values: list[object] = [
        ApiKey(API_KEY, "cli"),
        Jwt(ACCESS_TOKEN, "u", "e"),
        api_key_session,
        jwt_session,
        SessionStore(base, environ=env).resolve_credentials(),
        SessionStore(base, environ=env),
        [api_key_session, {"s": jwt_session}],
    ]
    for value in values:
        assert_no_secret(str(value))
        assert_no_secret(repr(value))
        assert_no_secret(f"{value}")


def bad_documents() -> Iterator[str]:
    good: dict[str, Any] = Session("https://h", ApiKey(API_KEY, "n"), CREATED).to_dict()
    text = json.dumps(good)
    yield text[: text.index(API_KEY) + 10]  # truncated inside the key
    yield text.replace("}", "", 1) + "garbage"
    yield text.replace('"version": 1', f'"version": "{API_KEY}"')
    yield text.replace('"api_key"', json.dumps(API_KEY))  # the key where the type should be
    yield text.replace(f'"{CREATED}"', json.dumps(ACCESS_TOKEN))  # a token as the date
    yield text.replace('"https://h"', json.dumps({"k": API_KEY}))
    yield text.replace('"n"', json.dumps([API_KEY]))  # as the key's name
    yield json.dumps({**good, "version": 2})
    yield json.dumps({**good, "auth": {"type": "jwt", "access_token": ACCESS_TOKEN, "user_id": 1, "email": API_KEY}})
    yield json.dumps({**good, "auth": {"type": "jwt", "access_token": [ACCESS_TOKEN]}})
    yield json.dumps([API_KEY, ACCESS_TOKEN])
    yield f'{{"version": 1, "auth": "{API_KEY}\x00'


@pytest.mark.parametrize("document", list(bad_documents()))
def test_codec_errors_never_quote_a_secret(document: str) -> None:
    texts = run_and_collect(lambda: Session.from_json(document))
    assert any("SessionError" in t for t in texts)
    for text in texts:
        assert_no_secret(text)


@pytest.mark.parametrize("document", list(bad_documents()))
def test_store_errors_and_warnings_never_quote_a_secret(document: str, base: Path) -> None:
    store = SessionStore(base, environ={})
    path = store.config_dir("home") / "session.json"
    path.write_text(document)
    path.chmod(0o644)  # also triggers the permission warning
    texts = run_and_collect(lambda: store.load("home"))
    texts += run_and_collect(store.list_profiles)
    texts += run_and_collect(lambda: store.resolve_credentials(profile="home"))
    assert any("accessible by other users" in t for t in texts)
    assert any("is corrupt" in t for t in texts)
    for text in texts:
        assert_no_secret(text)


def test_a_corrupt_config_json_holding_a_secret_is_not_quoted(base: Path) -> None:
    base.mkdir(parents=True)
    (base / "config.json").write_text(f'{{"current_profile": "{API_KEY}/x", "token": "{ACCESS_TOKEN}"')
    store = SessionStore(base, environ={})
    for call in (store.get_current_profile, lambda: store.set_current_profile("x"), store.load):
        texts = run_and_collect(call)
        assert any("is corrupt" in t for t in texts)
        for text in texts:
            assert_no_secret(text)
    (base / "config.json").write_text(json.dumps({"current_profile": f"{API_KEY}/x"}))
    for text in run_and_collect(store.get_current_profile):
        assert_no_secret(text)


def test_environment_errors_never_quote_the_key(base: Path) -> None:
    for env in ({"IMMICH_API_KEY": API_KEY}, {"IMMICH_API_KEY": API_KEY, "IMMICH_INSTANCE_URL": " "}):
        texts = run_and_collect(SessionStore(base, environ=env).resolve_credentials)
        assert any("IMMICH_INSTANCE_URL is not" in t for t in texts)
        for text in texts:
            assert_no_secret(text)


def test_failed_saves_never_quote_the_session(
    base: Path, api_key_session: Session, jwt_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SessionStore(base, environ={})

    def full(*args: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    for made in (api_key_session, jwt_session):
        texts = run_and_collect(lambda made=made: store.save(made, "home"))
        assert any("No space left" in t for t in texts)
        for text in texts:
            assert_no_secret(text)


def test_expiry_checks_never_raise_with_a_token(jwt_session: Session) -> None:
    for text in run_and_collect(lambda: is_jwt_expired(ACCESS_TOKEN)) + run_and_collect(
        lambda: is_expired(jwt_session)
    ):
        assert_no_secret(text)


def test_invalid_constructor_arguments_are_not_quoted() -> None:
    for call in (
        lambda: Session("https://h", ApiKey(API_KEY), f"not a date {ACCESS_TOKEN}"),
        lambda: Session("https://h", {"key": API_KEY}, CREATED),  # type: ignore[arg-type]
        lambda: ApiKey(API_KEY, name=[ACCESS_TOKEN]),  # type: ignore[arg-type]
        lambda: Jwt(ACCESS_TOKEN, 1, API_KEY),  # type: ignore[arg-type]
    ):
        texts = run_and_collect(call)
        assert any("InvalidArgumentError" in t for t in texts)
        for text in texts:
            assert_no_secret(text)
