"""Client secrets stored sealed: AES-256-GCM under a key of the deployment that the database does not hold.

The key is :func:`surveys.collection.sealing.derived_key` for this purpose: derived from ``SYMMETRY_SECRET_KEY``
(production), else from the key file beside the SQLite database, as the sealed answers' key is. The organisation's
id is the associated data, so a sealed secret copied to another organisation's row does not open. A reader of the
database alone cannot read the secret; changing ``SYMMETRY_SECRET_KEY`` means setting the secrets again.
"""

from __future__ import annotations

import secrets
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from surveys.collection.sealing import derived_key

PURPOSE = b"symmetry sso client secrets"
NONCE_BYTES = 12


class SecretUnreadable(ValueError):
    """A stored client secret that this deployment's key cannot open (sealed under another key, or altered)."""


def seal_secret(database_url: str, organisation_id: uuid.UUID, secret: str) -> bytes:
    """`secret` encrypted for `organisation_id`: a fresh nonce followed by the ciphertext and its tag."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    aead = AESGCM(derived_key(database_url, PURPOSE))
    return nonce + aead.encrypt(nonce, secret.encode(), organisation_id.bytes)


def open_secret(database_url: str, organisation_id: uuid.UUID, sealed: bytes) -> str:
    """The client secret sealed for `organisation_id`."""
    aead = AESGCM(derived_key(database_url, PURPOSE))
    try:
        return aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], organisation_id.bytes).decode()
    except InvalidTag:
        raise SecretUnreadable(
            "the stored SSO client secret cannot be opened: set it again (SYMMETRY_SECRET_KEY changed?)"
        ) from None
