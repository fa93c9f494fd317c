"""Encrypted storage of personal identifiers (PIPL): the database holds only Fernet tokens."""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _cipher(keys: tuple[str, ...], secret: str) -> MultiFernet:
    if not keys:
        # No FIELD_ENCRYPTION_KEY configured (development): a key derived from SECRET_KEY.
        keys = (base64.urlsafe_b64encode(hashlib.sha256(f"shequ-field-key:{secret}".encode()).digest()).decode(),)
    return MultiFernet([Fernet(key) for key in keys])


def cipher() -> MultiFernet:
    """The first key encrypts; every listed key decrypts (rotate by putting a new key first)."""
    return _cipher(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


class EncryptedCharField(models.CharField):
    """A CharField whose value is encrypted before it reaches the database and decrypted when read.

    Values written before encryption (no prefix) are read as they are; the migration that introduced this field
    encrypted them. Equality lookups cannot work on it (each encryption differs): nothing filters by it.
    """

    def __init__(self, *args, plain_max_length=18, **kwargs):
        self.plain_max_length = plain_max_length
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["plain_max_length"] = self.plain_max_length
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return decrypt(value)

    def to_python(self, value):
        return decrypt(super().to_python(value))

    def get_prep_value(self, value):
        return encrypt(super().get_prep_value(value))

    def formfield(self, **kwargs):
        return super().formfield(**{"max_length": self.plain_max_length, **kwargs})


def decrypt(value):
    if not value or not isinstance(value, str) or not value.startswith(PREFIX):
        return value
    try:
        return cipher().decrypt(value[len(PREFIX):].encode()).decode()
    except InvalidToken:
        raise ValueError("An encrypted value cannot be read with the configured FIELD_ENCRYPTION_KEY.") from None


class EncryptedKeysJSONField(models.JSONField):
    """A JSONField (a case's proposed details) whose personal values, under ``encrypted_keys``, are encrypted in
    the database like ``EncryptedCharField``; the other keys stay plain JSON, queryable as before. Values written
    before encryption are read as they are (the migration that introduced the field encrypted them)."""

    def __init__(self, *args, encrypted_keys=("leader_id_number",), **kwargs):
        self.encrypted_keys = tuple(encrypted_keys)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["encrypted_keys"] = self.encrypted_keys
        return name, path, args, kwargs

    def _each(self, value, change):
        if not isinstance(value, dict) or not any(value.get(key) for key in self.encrypted_keys):
            return value
        return {key: change(item) if key in self.encrypted_keys and item and isinstance(item, str) else item
                for key, item in value.items()}

    def from_db_value(self, value, expression, connection):
        return self._each(super().from_db_value(value, expression, connection), decrypt)

    def get_prep_value(self, value):
        return super().get_prep_value(self._each(value, encrypt))


def encrypt(value: str) -> str:
    if not value or value.startswith(PREFIX):
        return value
    return PREFIX + cipher().encrypt(value.encode()).decode()
