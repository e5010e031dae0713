"""Streaming upload handling: measured, hashed and size-limited while the bytes arrive.

Django's default handlers keep small files in memory and large ones in a temporary file,
and only look at the size afterwards. This handler writes every file straight to a
temporary file beside the evidence store, hashes it on the way, and stops writing as soon
as the file passes the size limit, so memory stays flat whatever is sent.
"""

import hashlib
import os

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler


class EvidenceUpload(TemporaryUploadedFile):
    """An upload as received: ``sha256`` and ``size`` computed while streaming, and
    ``too_large`` when it passed the limit (its content is then discarded)."""

    def __init__(self, name, content_type, charset, content_type_extra):
        # TemporaryUploadedFile creates its file in FILE_UPLOAD_TEMP_DIR, which lies on the
        # same disk as the evidence store: storing the upload is then a rename.
        os.makedirs(settings.FILE_UPLOAD_TEMP_DIR, exist_ok=True)
        super().__init__(name, content_type, 0, charset, content_type_extra)
        self.hash = hashlib.sha256()
        self.too_large = False

    @property
    def sha256(self) -> str:
        return self.hash.hexdigest()


class EvidenceUploadHandler(FileUploadHandler):
    chunk_size = 256 * 1024

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.upload = EvidenceUpload(
            self.file_name, self.content_type, self.charset, self.content_type_extra
        )
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.upload.too_large:
            return None
        if self.received > settings.EVIDENCE_MAX_UPLOAD_BYTES:
            # Keep reading the request (so the browser gets our answer, not a reset
            # connection) but keep none of it.
            self.upload.too_large = True
            self.upload.file.truncate(0)
            return None
        self.upload.hash.update(raw_data)
        self.upload.file.write(raw_data)
        return None

    def file_complete(self, file_size):
        self.upload.file.flush()
        self.upload.file.seek(0)
        self.upload.size = self.received
        return self.upload
