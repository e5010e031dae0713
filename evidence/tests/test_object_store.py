"""Evidence and built exports on an S3-compatible object store (issue 16: several application
servers share their files there). The portal talks S3 to moto's server on loopback, set up
as docs/operations.md says (S3_BUCKET and friends, through django-storages): an upload is stored
there and downloaded back, a large cycle's export is built there and served, nothing on the
local disk."""

import socket

import boto3
import pytest
from django.core.files.storage import storages
from moto.server import ThreadedMotoServer

from evidence.tests import samples
from reports.models import ReportBundle

BUCKET = "audit-portal-test"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def object_store(settings):
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    keys = {"aws_access_key_id": "portal", "aws_secret_access_key": "portal-secret"}
    boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys).create_bucket(
        Bucket=BUCKET
    )
    # what settings.py makes of S3_BUCKET, S3_ENDPOINT_URL, S3_ACCESS_KEY, S3_SECRET_KEY
    options = {
        "bucket_name": BUCKET,
        "endpoint_url": endpoint,
        "access_key": keys["aws_access_key_id"],
        "secret_key": keys["aws_secret_access_key"],
        "region_name": "us-east-1",
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "location": "evidence"},
        },
        "bundles": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {**options, "location": "bundles"},
        },
    }
    settings.EVIDENCE_X_ACCEL_REDIRECT_PREFIX = ""
    settings.EXPORT_INLINE_MAX_AGENCIES = 10
    yield boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", **keys)
    server.stop()


def _keys(client, prefix):
    return [
        o["Key"] for o in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
    ]


def test_an_upload_is_stored_in_the_bucket_and_downloaded_back(object_store, client_for, chaoyang):
    staff = client_for("staff004")
    response = staff.post(
        "/cycles/2023/agencies/004/documents/1/upload/",
        {"files": [samples.upload("制度.pdf", samples.PDF)]},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    assert response.status_code == 201
    stored = _keys(object_store, "evidence/")
    assert len(stored) == 1
    assert object_store.get_object(Bucket=BUCKET, Key=stored[0])["Body"].read() == samples.PDF
    download = staff.get(f"/cycles/2023/agencies/004/files/{response.json()['id']}/")
    assert b"".join(download.streaming_content) == samples.PDF
    assert "attachment" in download["Content-Disposition"]


def test_a_large_cycles_export_is_kept_in_the_bucket(object_store, client_for):
    manager = client_for("manager")
    assert storages["bundles"].__class__.__name__ == "S3Storage"
    manager.get("/cycles/2023/scores.xlsx")
    bundle = ReportBundle.objects.get()
    assert bundle.status == "done"
    assert _keys(object_store, "bundles/") == [f"bundles/{bundle.file_name}"]
    download = manager.get(f"/cycles/2023/reports/bundle/{bundle.pk}/download/")
    content = b"".join(download.streaming_content)
    assert content.startswith(b"PK") and len(content) == bundle.size
