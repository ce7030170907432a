"""Where file contents live, behind one small interface.

Keys are content addresses (the SHA-256 of the bytes, or ``thumb/<sha>``), so
writing the same content twice is harmless and a key never changes meaning.
``FILES_STORAGE_URL`` chooses: empty for the local folder ``UPLOAD_DIR`` (the
embedded default), or ``s3://bucket/prefix?endpoint_url=…&region=…`` for an
S3-compatible object store (credentials from the usual AWS variables).
"""

import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlparse


class Storage(Protocol):
    """The interface: put, get, delete, and list keys with their age.

    ``LocalStorage`` and ``S3Storage`` below are the two implementations.
    """

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes:
        """:raises KeyError: when nothing is stored under ``key``."""
        ...

    def delete(self, key: str) -> None: ...

    def exists(self, key: str) -> bool: ...

    def listing(self) -> Iterator[tuple[str, datetime]]:
        """Every stored key with the time it was last written."""
        ...


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or any(p in ("", ".", "..") or not p.isalnum() for p in parts):
        raise ValueError(f"bad storage key {key!r}")
    return key


class LocalStorage(Storage):
    """A folder; ``ab/cd/abcd…`` so no directory grows too large."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        _check_key(key)
        head, _, name = key.rpartition("/")
        base = self.root / head if head else self.root
        return base / name[:2] / name[2:4] / name

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if path.exists() and path.stat().st_size == len(data):
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write aside and rename, so a reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".up-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def listing(self) -> Iterator[tuple[str, datetime]]:
        if not self.root.exists():
            return
        for path in self.root.rglob("*"):
            if not path.is_file() or path.name.startswith("."):
                continue
            rel = path.relative_to(self.root).parts
            # <prefix…>/ab/cd/<name>
            key = "/".join((*rel[:-3], rel[-1]))
            yield key, datetime.fromtimestamp(path.stat().st_mtime, UTC)


class S3Storage(Storage):
    """An S3-compatible bucket (AWS, MinIO, Ceph …)."""

    def __init__(self, bucket: str, prefix: str = "", **client_args):
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.client = boto3.client("s3", **client_args)

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(
            Bucket=self.bucket, Key=self.prefix + _check_key(key), Body=data
        )

    def get(self, key: str) -> bytes:
        try:
            obj = self.client.get_object(
                Bucket=self.bucket, Key=self.prefix + _check_key(key)
            )
        except self.client.exceptions.NoSuchKey:
            raise KeyError(key) from None
        return obj["Body"].read()

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + _check_key(key))

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
        except ClientError:
            return False
        return True

    def listing(self) -> Iterator[tuple[str, datetime]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for obj in page.get("Contents", []):
                yield obj["Key"][len(self.prefix) :], obj["LastModified"]


def storage_from_url(url: str | None, local_dir: str) -> Storage:
    """Return the storage ``url`` names; the local folder when it is empty."""
    if not url:
        return LocalStorage(local_dir)
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return LocalStorage(parsed.path)
    if parsed.scheme == "s3":
        query = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        args = {}
        if query.get("endpoint_url"):
            args["endpoint_url"] = query["endpoint_url"]
        if query.get("region"):
            args["region_name"] = query["region"]
        return S3Storage(parsed.netloc, parsed.path, **args)
    raise ValueError(f"FILES_STORAGE_URL: unknown scheme in {url!r}")
