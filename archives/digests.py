"""The digests and the signature of an archive package: SHA-256 and SM3 (GB/T 32905) of every
file, the package's own digest, and an HMAC-SHA256 of the manifest with the portal's archive
key, so that a changed file, and a manifest changed to match it, are both found."""

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from django.conf import settings


class Digests:
    """SHA-256 and SM3 of bytes fed in pieces (a file is never read whole into memory)."""

    def __init__(self):
        self._sha256 = hashlib.sha256()
        self._sm3 = hashes.Hash(hashes.SM3())
        self.size = 0

    def update(self, block: bytes) -> None:
        self._sha256.update(block)
        self._sm3.update(block)
        self.size += len(block)

    def result(self) -> dict:
        return {
            "size": self.size,
            "sha256": self._sha256.hexdigest(),
            "sm3": self._sm3.finalize().hex(),
        }


def of_stream(stream, block_size: int = 1024 * 1024) -> dict:
    digests = Digests()
    for block in iter(lambda: stream.read(block_size), b""):
        digests.update(block)
    return digests.result()


def package_digest(entries) -> str:
    """The package's own SHA-256: of each entry's path and SHA-256, one line each, in order."""
    lines = "".join(f"{entry['path']}\t{entry['sha256']}\n" for entry in entries)
    return hashlib.sha256(lines.encode()).hexdigest()


def _key() -> bytes:
    """ARCHIVE_KEY (environment), else one derived from SECRET_KEY for this purpose only."""
    configured = getattr(settings, "ARCHIVE_KEY", "")
    if configured:
        return configured.encode()
    return hashlib.sha256(
        b"audit-portal archive manifest\0" + settings.SECRET_KEY.encode()
    ).digest()


def sign(manifest: bytes) -> str:
    return hmac.new(_key(), manifest, hashlib.sha256).hexdigest()


def signature_holds(manifest: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(manifest), signature.strip())
