"""Settings: every wrong value is refused naming the variable and what it accepts; `.env` fills the gaps."""

from __future__ import annotations

from pathlib import Path

import pytest

from advocacy.settings import Settings, SettingsError, load_settings

GOOD = {
    "DATABASE_URL": "postgresql://advocacy:s3cret@db.example.com:5432/advocacy",
    "REDIS_URL": "redis://cache.example.com:6379/0",
    "SECRET_KEY": "k" * 48,
}


def load(tmp_path: Path, **changes: str) -> Settings:
    environ = {**GOOD, **changes}
    return load_settings(
        environ={k: v for k, v in environ.items() if v != ""}, env_file=tmp_path / "none.env"
    )


def test_good_values_load_with_their_types(tmp_path: Path) -> None:
    settings = load(tmp_path, MAX_UPLOAD_BYTES="2048", ACCESS_LOG="false", DEFAULT_LANGUAGE="en")
    assert settings.max_upload_bytes == 2048
    assert settings.access_log is False
    assert settings.default_language == "en"


@pytest.mark.parametrize(
    ("variable", "value", "accepts"),
    [
        ("DEFAULT_LANGUAGE", "de", "fr or en"),
        ("MAX_UPLOAD_BYTES", "abc", "an integer number of bytes"),
        ("MAX_UPLOAD_BYTES", "12", "between 1024 and"),
        ("MAX_BODY_BYTES", "-1", "an integer number of bytes"),
        ("DATABASE_URL", "mysql://root@localhost/advocacy", "postgresql://"),
        ("REDIS_URL", "http://cache.example.com", "redis://"),
        ("PUBLIC_BASE_URL", "https://advocacy.example.com/app", "without a path"),
        ("PUBLIC_BASE_URL", "ftp://advocacy.example.com", "http:// or https://"),
        ("SECRET_KEY", "short", "at least 32 characters"),
        ("CONSENT_VALIDITY_DAYS", "0", "between 1 and 3650"),
        ("LOG_LEVEL", "verbose", "debug, info, warning or error"),
        ("ACCESS_LOG", "maybe", "true or false"),
        ("STORAGE", "ftp", "local or s3"),
        ("REDIS_NAMESPACE", "has spaces", "a key prefix"),
        ("AUTH_CACHE_SECONDS", "soon", "a number of seconds"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_variable_and_what_it_accepts(
    tmp_path: Path, variable: str, value: str, accepts: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        load(tmp_path, **{variable: value})
    message = str(refused.value)
    assert message.startswith(variable), message
    assert accepts in message, message


def test_a_refused_secret_key_is_not_repeated_in_the_message(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        load(tmp_path, SECRET_KEY="hunter2-short")
    assert "hunter2" not in str(refused.value)


def test_a_refused_url_does_not_show_its_password(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        load(tmp_path, DATABASE_URL="mysql://root:topsecret@localhost/advocacy")
    assert "topsecret" not in str(refused.value)
    assert "DATABASE_URL" in str(refused.value)


def test_a_missing_database_url_is_refused_with_what_to_set(tmp_path: Path) -> None:
    with pytest.raises(SettingsError) as refused:
        load(tmp_path, DATABASE_URL="")
    assert str(refused.value).startswith("DATABASE_URL is not set")
    assert "postgresql://" in str(refused.value)


def test_pool_minimum_above_maximum_is_refused_naming_both(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"DB_POOL_MIN.*DB_POOL_MAX"):
        load(tmp_path, DB_POOL_MIN="20", DB_POOL_MAX="5")


def test_s3_storage_without_a_bucket_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="S3_BUCKET"):
        load(tmp_path, STORAGE="s3")


def test_the_env_file_fills_unset_variables_but_the_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text(
        "DEFAULT_LANGUAGE=en\nMAX_UPLOAD_BYTES=4096\nREDIS_URL=redis://from-the-file:6379/1\n"
        f"DATABASE_URL=postgresql://file@db/advocacy\nSECRET_KEY={'f' * 40}\n"
    )
    settings = load_settings(
        environ={"DATABASE_URL": "postgresql://env@db/advocacy", "MAX_UPLOAD_BYTES": "8192"},
        env_file=env_file,
    )
    assert settings.database_url == "postgresql://env@db/advocacy"
    assert settings.max_upload_bytes == 8192
    assert settings.default_language == "en"
    assert settings.redis_url == "redis://from-the-file:6379/1"
    assert settings.secret_key == "f" * 40


def test_a_wrong_value_in_the_env_file_is_refused_like_one_in_the_environment(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DEFAULT_LANGUAGE=de\n")
    with pytest.raises(SettingsError, match=r"^DEFAULT_LANGUAGE.*fr or en"):
        load_settings(environ=GOOD, env_file=env_file)


def test_variables_not_in_capitals_are_ignored(tmp_path: Path) -> None:
    settings = load(tmp_path, default_language="de")
    assert settings.default_language == "fr"


def test_without_a_secret_key_one_is_generated_once_and_kept_in_the_data_folder(tmp_path: Path) -> None:
    environ = {k: v for k, v in GOOD.items() if k != "SECRET_KEY"} | {"DATA_DIR": str(tmp_path / "data")}
    first = load_settings(environ=environ, env_file=None)
    second = load_settings(environ=environ, env_file=None)
    assert len(first.secret_key) >= 32
    assert first.secret_key == second.secret_key
    assert (tmp_path / "data" / "secret_key").stat().st_mode & 0o077 == 0


def test_saml_is_on_with_the_provider_metadata_and_our_key_pair(tmp_path: Path) -> None:
    from advocacy.identity.saml.keys import write_pair

    key_file, cert_file = write_pair(tmp_path / "saml", "sp")
    assert key_file.stat().st_mode & 0o077 == 0
    (tmp_path / "idp.xml").write_text("<EntityDescriptor/>")
    settings = load(
        tmp_path,
        SAML_IDP_METADATA=str(tmp_path / "idp.xml"),
        SAML_SP_KEY_FILE=str(key_file),
        SAML_SP_CERT_FILE=str(cert_file),
        PUBLIC_BASE_URL="https://advocacy.example.com",
    )
    assert settings.saml_on
    assert settings.saml_sp_entity_id == "https://advocacy.example.com/saml/metadata"
    with pytest.raises(FileExistsError):
        write_pair(tmp_path / "saml", "sp")


@pytest.mark.parametrize(
    ("changes", "names"),
    [
        ({"SAML_IDP_METADATA": "/nowhere/idp.xml"}, "SAML_IDP_METADATA"),
        ({"SAML_IDP_METADATA": "http://idp.example.com/metadata"}, "SAML_IDP_METADATA"),
        ({"SAML_IDP_METADATA": "https://idp.example.com/metadata"}, "SAML_SP_KEY_FILE"),
    ],
)
def test_saml_settings_that_cannot_work_are_refused(
    tmp_path: Path, changes: dict[str, str], names: str
) -> None:
    with pytest.raises(SettingsError, match=names):
        load(tmp_path, **changes)
