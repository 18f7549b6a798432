"""Answers waiting to be mixed are kept encrypted, under a key the database does not hold.

A submission consumes its invitation and stores its answers in one transaction (all or nothing), so the two rows
share that transaction's id and their place in the tables' order: a reader of the database can pair them. The
answers are therefore stored sealed (AES-256-GCM, a fresh random nonce each) until a job admits them, several at
once, among the team's responses (:mod:`surveys.collection.mixing`). The reader can pair a consumed invitation
with its sealed row, but not read it.

The key is derived (HKDF-SHA256) from ``SYMMETRY_SECRET_KEY`` when it is set, as in production, where every web
process and worker shares it. Without it (a developer's machine, the tests), it is a random key kept in a file
beside the SQLite database (``var/sealing.key`` for another database), made on first use, readable by its owner
only, so that the CLI and the web of one machine agree. Either way a reader of the database alone cannot unseal.
"""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path
from typing import Any

import msgspec
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy.engine import make_url

from surveys.settings import PREFIX
from symmetry.domain import Instrument, Respondent

NONCE_BYTES = 12
LENGTH_BYTES = 4
SECRET_VARIABLE = f"{PREFIX}SECRET_KEY"
KEY_FILE = Path("var/sealing.key").resolve()
"""The key of a deployment with no ``SYMMETRY_SECRET_KEY`` and no SQLite file to keep it beside."""


class SealedAnswers(msgspec.Struct, array_like=True, frozen=True):
    """What a sealed row holds: the answers by item id and the comments by question id."""

    answers: dict[str, int]
    comments: dict[str, str]


class UnsealError(ValueError):
    """A sealed row that this key cannot open: sealed under another ``SYMMETRY_SECRET_KEY``, or altered."""


class Sealer:
    """Seals and opens answers with one deployment's key."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)
        self._encode = msgspec.msgpack.Encoder().encode
        self._decode = msgspec.msgpack.Decoder(SealedAnswers).decode

    def seal(self, answers: dict[str, Any], comments: dict[str, str], *, size: int) -> bytes:
        """The answers and comments encrypted: the nonce followed by the ciphertext and its tag.

        The plaintext is padded to `size` (:func:`sealed_size`), so that every sealed row of a questionnaire has
        the same length: a length that grew with the comment would tell which invitation wrote the long comment
        a report shows.
        """
        plain = self._encode(SealedAnswers(answers, comments))
        if len(plain) + LENGTH_BYTES > size:
            raise ValueError(f"answers of {len(plain)} bytes do not fit the questionnaire's {size}")
        padded = len(plain).to_bytes(LENGTH_BYTES, "big") + plain + bytes(size - LENGTH_BYTES - len(plain))
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, padded, None)

    def open(self, sealed: bytes) -> SealedAnswers:
        """The answers and comments of a sealed row."""
        try:
            padded = self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], None)
        except Exception as error:  # cryptography's InvalidTag says nothing more
            raise UnsealError("cannot open sealed answers: sealed under another key, or altered") from error
        length = int.from_bytes(padded[:LENGTH_BYTES], "big")
        return self._decode(padded[LENGTH_BYTES : LENGTH_BYTES + length])


def sealed_size(instrument: Instrument, respondent: Respondent) -> int:
    """The padded size of a questionnaire's answers: what the longest valid answers can take, in 256-byte steps.

    Bounds msgpack's encoding: per answer its item id, a header and a value; per comment its id, a header and
    four bytes for each character it may hold.
    """
    answers = sum(len(item.id.encode()) + 12 for item in instrument.items_for(respondent))
    comments = sum(len(c.id.encode()) + 8 + 4 * c.max_length for c in instrument.comments_for(respondent))
    bound = LENGTH_BYTES + 16 + answers + comments
    return -(-bound // 256) * 256


def _key_file(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return Path(f"{url.database}.sealing-key")
    return KEY_FILE


def _read_or_make(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Written aside, then linked into place: of two processes making it at once, one link wins, whole.
        draft = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(secrets.token_bytes(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    key = path.read_bytes()
    if len(key) != 32:
        raise UnsealError(f"{path} does not hold a 32-byte key")
    return key


@functools.cache
def _sealer(secret: str | None, database_url: str) -> Sealer:
    if secret is None:
        return Sealer(_read_or_make(_key_file(database_url)))
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"symmetry sealed answers")
    return Sealer(hkdf.derive(secret.encode()))


def derived_key(database_url: str, purpose: bytes) -> bytes:
    """A 32-byte key of this deployment for `purpose` (another use than answers, such as SSO client secrets).

    HKDF-SHA256 over ``SYMMETRY_SECRET_KEY`` when it is set, else over the key file of the module's note, with
    `purpose` as its info: each purpose gets its own key, and a reader of the database alone has none of them.
    """
    secret = os.environ.get(SECRET_VARIABLE)
    material = secret.encode() if secret else _read_or_make(_key_file(database_url))
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(material)


def sealer_for(database_url: str) -> Sealer:
    """The sealer of the deployment whose database this is (see the module's note on the key)."""
    return _sealer(os.environ.get(SECRET_VARIABLE) or None, database_url)
