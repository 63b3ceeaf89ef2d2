"""Auth methods, sessions and their JSON codec."""

from __future__ import annotations

import contextlib
import dataclasses
import doctest
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import immiche.session as session_module
from immiche.errors import InvalidArgumentError, SessionError
from immiche.session import FORMAT_VERSION, ApiKey, AuthMethod, Jwt, Session, mask_secret
from tests.session.conftest import ACCESS_TOKEN, API_KEY, CREATED


def test_the_docstring_examples_hold() -> None:
    result = doctest.testmod(session_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 2
    assert result.failed == 0


# -- auth methods ---------------------------------------------------------------------------------


def test_api_key_repr_shows_only_the_last_four_characters() -> None:
    key = ApiKey("0123456789abcdefa1b2", name="cli")
    assert repr(key) == "ApiKey(key='…a1b2', name='cli')"
    assert str(key) == repr(key)
    assert repr(ApiKey("0123456789abcdefa1b2")) == "ApiKey(key='…a1b2', name=None)"


def test_jwt_repr_masks_the_token_but_shows_who() -> None:
    jwt = Jwt(ACCESS_TOKEN, "5f1c-user", "alice@example.com")
    assert repr(jwt) == f"Jwt(access_token='…{ACCESS_TOKEN[-4:]}', user_id='5f1c-user', email='alice@example.com')"
    assert str(jwt) == repr(jwt)


@pytest.mark.parametrize(
    ("secret", "shown"),
    [("", "…"), ("abcd", "…"), ("0123456789abcde", "…"), ("0123456789abcdef", "…cdef"), (API_KEY, "…" + API_KEY[-4:])],
)
def test_short_secrets_are_not_revealed_at_all(secret: str, shown: str) -> None:
    assert mask_secret(secret) == shown


def test_auth_methods_are_frozen_slotted_values() -> None:
    key = ApiKey(API_KEY, "cli")
    with pytest.raises(dataclasses.FrozenInstanceError):
        key.key = "other"  # type: ignore[misc]
    assert not hasattr(key, "__dict__")
    assert key == ApiKey(API_KEY, "cli")
    assert hash(key) == hash(ApiKey(API_KEY, "cli"))
    assert isinstance(key, AuthMethod)
    assert isinstance(Jwt(ACCESS_TOKEN, "u", "e"), AuthMethod)


@pytest.mark.parametrize(
    "build",
    [
        lambda: ApiKey(""),
        lambda: ApiKey(123),  # type: ignore[arg-type]
        lambda: ApiKey(API_KEY, name=5),  # type: ignore[arg-type]
        lambda: Jwt("", "u", "e"),
        lambda: Jwt(ACCESS_TOKEN, None, "e"),  # type: ignore[arg-type]
        lambda: Jwt(ACCESS_TOKEN, "u", b"e"),  # type: ignore[arg-type]
    ],
)
def test_auth_methods_reject_wrong_values(build: Any) -> None:
    with pytest.raises(InvalidArgumentError):
        build()


# -- sessions -------------------------------------------------------------------------------------


def test_create_stamps_the_current_utc_time_to_the_second() -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    made = Session.create("https://immich.example.com", ApiKey(API_KEY))
    after = datetime.now(timezone.utc)
    assert made.created_at.endswith("Z")
    assert len(made.created_at) == len("2026-11-23T12:00:00Z")
    assert before <= made.created_datetime <= after
    assert made.server_url == "https://immich.example.com"
    assert made.auth == ApiKey(API_KEY)


def test_create_accepts_a_given_time_in_any_zone() -> None:
    paris = timezone(timedelta(hours=1))
    made = Session.create("https://h", ApiKey(API_KEY), now=datetime(2026, 11, 23, 13, 0, 0, 999, tzinfo=paris))
    assert made.created_at == CREATED


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-23T12:00:00Z", datetime(2026, 11, 23, 12, tzinfo=timezone.utc)),
        ("2026-11-23t12:00:00.5z", datetime(2026, 11, 23, 12, 0, 0, 500000, tzinfo=timezone.utc)),
        ("2026-11-23T13:00:00+01:00", datetime(2026, 11, 23, 12, tzinfo=timezone.utc)),
        ("2026-11-23T12:00:00.123456789Z", datetime(2026, 11, 23, 12, 0, 0, 123456, tzinfo=timezone.utc)),
    ],
)
def test_created_at_accepts_rfc3339(text: str, expected: datetime) -> None:
    assert Session("https://h", ApiKey(API_KEY), text).created_datetime == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "yesterday",
        "2026-11-23",
        "2026-11-23 12:00:00Z",
        "2026-11-23T12:00:00",
        "2026-13-01T00:00:00Z",
        "2026-11-23T12:00:00+24:00",
        "2026-11-23T12:00:00Z\n",
    ],
)
def test_created_at_must_be_rfc3339(text: str) -> None:
    with pytest.raises(InvalidArgumentError, match="RFC 3339"):
        Session("https://h", ApiKey(API_KEY), text)


def test_session_rejects_a_wrong_auth_or_url() -> None:
    with pytest.raises(InvalidArgumentError, match="auth must be"):
        Session("https://h", {"key": API_KEY}, CREATED)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="server URL"):
        Session("", ApiKey(API_KEY), CREATED)


def test_str_is_a_readable_one_liner(api_key_session: Session, jwt_session: Session) -> None:
    tail = API_KEY[-4:]
    assert str(api_key_session) == f"https://immich.example.com: API key 'cli' (…{tail}), created {CREATED}"
    token_tail = ACCESS_TOKEN[-4:]
    assert (
        str(jwt_session)
        == f"http://192.168.1.10:2283: login of alice@example.com (token …{token_tail}), created {CREATED}"
    )
    unnamed = dataclasses.replace(api_key_session, auth=ApiKey(API_KEY))
    assert str(unnamed) == f"https://immich.example.com: API key (…{tail}), created {CREATED}"


def test_repr_looks_like_the_constructor_with_masked_secrets(api_key_session: Session) -> None:
    assert repr(api_key_session) == (
        f"Session(server_url='https://immich.example.com', auth=ApiKey(key='…{API_KEY[-4:]}', name='cli'), "
        f"created_at='{CREATED}')"
    )


# -- codec ----------------------------------------------------------------------------------------


def test_json_layout_of_an_api_key_session(api_key_session: Session) -> None:
    assert json.loads(api_key_session.to_json()) == {
        "version": 1,
        "server_url": "https://immich.example.com",
        "created_at": CREATED,
        "auth": {"type": "api_key", "key": API_KEY, "name": "cli"},
    }
    assert api_key_session.to_json().endswith("}\n")
    assert api_key_session.to_json().isascii()


def test_json_layout_of_a_login_session(jwt_session: Session) -> None:
    assert jwt_session.to_dict() == {
        "version": FORMAT_VERSION,
        "server_url": "http://192.168.1.10:2283",
        "created_at": CREATED,
        "auth": {"type": "jwt", "access_token": ACCESS_TOKEN, "user_id": "5f1c-user", "email": "alice@example.com"},
    }


def test_round_trip_of_both_kinds(api_key_session: Session, jwt_session: Session) -> None:
    for made in (api_key_session, jwt_session):
        assert Session.from_json(made.to_json()) == made
        assert Session.from_json(made.to_json().encode()) == made
        assert Session.from_dict(made.to_dict()) == made


def test_reading_tolerates_a_bom_unknown_keys_and_a_missing_key_name(api_key_session: Session) -> None:
    data = api_key_session.to_dict()
    data["future_field"] = {"x": 1}
    del data["auth"]["name"]
    text = json.dumps(data)
    expected = dataclasses.replace(api_key_session, auth=ApiKey(API_KEY))
    assert Session.from_json("\ufeff" + text) == expected
    assert Session.from_json(b"\xef\xbb\xbf" + text.encode()) == expected


def good() -> dict[str, Any]:
    return {
        "version": 1,
        "server_url": "https://h",
        "created_at": CREATED,
        "auth": {"type": "api_key", "key": API_KEY, "name": None},
    }


def changed(path: str, value: Any) -> dict[str, Any]:
    data = good()
    target = data
    *parents, last = path.split(".")
    for part in parents:
        target = target[part]
    if value is KeyError:
        del target[last]
    else:
        target[last] = value
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (changed("version", KeyError), "missing field version"),
        (changed("version", 2), "unsupported session format version 2"),
        (changed("version", 0), "unsupported session format version 0"),
        (changed("version", "1"), "version must be an integer, not a string"),
        (changed("version", True), "version must be an integer, not a boolean"),
        (changed("version", 1.0), "version must be an integer, not a number"),
        (changed("server_url", KeyError), "missing field server_url"),
        (changed("server_url", None), "server_url must be a string, not null"),
        (changed("server_url", ""), "server URL must not be empty"),
        (changed("created_at", 1700000000), "created_at must be a string, not a number"),
        (changed("created_at", "last tuesday"), "RFC 3339"),
        (changed("auth", KeyError), "missing field auth"),
        (changed("auth", [API_KEY]), "auth must be an object, not an array"),
        (changed("auth.type", KeyError), "missing field auth.type"),
        (changed("auth.type", "password"), "unknown auth.type"),
        (changed("auth.type", "JWT"), "unknown auth.type"),
        (changed("auth.key", KeyError), "missing field auth.key"),
        (changed("auth.key", 42), "auth.key must be a string, not a number"),
        (changed("auth.key", ""), "API key must not be empty"),
        (changed("auth.name", 3), "auth.name must be a string or null"),
        ({**good(), "auth": {"type": "jwt", "access_token": ACCESS_TOKEN, "user_id": "u"}}, "missing field auth.email"),
        (
            {**good(), "auth": {"type": "jwt", "access_token": ACCESS_TOKEN, "user_id": 7, "email": "e"}},
            "auth.user_id must be a string",
        ),
    ],
)
def test_from_dict_rejects_bad_data_clearly(data: dict[str, Any], message: str) -> None:
    with pytest.raises(SessionError, match=message) as caught:
        Session.from_dict(data)
    assert type(caught.value) is SessionError
    assert API_KEY not in str(caught.value)


def test_a_newer_format_says_to_upgrade() -> None:
    with pytest.raises(SessionError) as caught:
        Session.from_dict(changed("version", 2))
    assert caught.value.hint == "upgrade immiche"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "not valid JSON"),
        ("{", "not valid JSON"),
        (
            '{"version": 1, "server_url": "https://h", "auth": {"type": "api_key", "key": "' + API_KEY[:10],
            "not valid JSON",
        ),
        ("[]", "must be a JSON object, not an array"),
        ("null", "must be a JSON object, not null"),
        ('{"version": NaN}', "not valid JSON"),
        ("[" * 100_000, "not valid JSON"),
        (b"\xff\xfe{}", "not valid UTF-8"),
    ],
)
def test_from_json_rejects_malformed_text(text: str | bytes, message: str) -> None:
    with pytest.raises(SessionError, match=message) as caught:
        Session.from_json(text)
    assert API_KEY[:10] not in str(caught.value)


# -- property-based round trips ----------------------------------------------------------------

any_text = st.text(st.characters(codec=None, exclude_categories=()))  # includes surrogates and control characters
nonempty = st.text(st.characters(codec=None, exclude_categories=()), min_size=1)
instants = st.datetimes(
    min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31), timezones=st.sampled_from([timezone.utc])
)
auths = st.one_of(
    st.builds(ApiKey, key=nonempty, name=st.none() | any_text),
    st.builds(Jwt, access_token=nonempty, user_id=any_text, email=any_text),
)
sessions = st.builds(
    lambda url, auth, when: Session.create(url, auth, now=when), url=nonempty, auth=auths, when=instants
)


@given(sessions)
def test_every_session_survives_the_json_round_trip(made: Session) -> None:
    text = made.to_json()
    assert text.isascii()
    assert Session.from_json(text) == made
    assert Session.from_json(text.encode("ascii")) == made
    assert Session.from_dict(json.loads(text)) == made


@given(st.emails(), st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1))
def test_unicode_emails_and_key_names_round_trip(email: str, name: str) -> None:
    for auth in (Jwt(ACCESS_TOKEN, "user-ü", email + "é"), ApiKey(API_KEY, name=name)):
        made = Session("https://bilder.example/ü", auth, CREATED)
        assert Session.from_json(made.to_json()) == made


@given(nonempty)
def test_repr_and_str_never_hold_a_long_secret(secret: str) -> None:
    for auth in (ApiKey(secret, name="n"), Jwt(secret, "u", "e@x")):
        made = Session("https://h", auth, CREATED)
        # Only the secret's own text is at stake, not a secret that happens to spell the template.
        other = dataclasses.replace(made, auth=dataclasses.replace(auth, **{auth.__slots__[0]: "#"}))
        assume(secret not in repr(other) + str(other))
        for text in (repr(auth), str(auth), repr(made), str(made)):
            if len(secret) >= 16:
                assert secret not in text
        assert repr(mask_secret(secret)) in repr(made)
        assert mask_secret(secret) in str(made)


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    )
)
def test_from_json_raises_only_session_error_on_arbitrary_json(value: Any) -> None:
    with contextlib.suppress(SessionError):
        Session.from_json(json.dumps(value))
