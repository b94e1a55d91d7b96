"""The document store: uploaded files kept outside the web root, in a local folder by default
or in an S3-compatible bucket (DOCUMENTS_STORE=s3, boto3 installed). Keys are random names made
by the caller; the store refuses any other shape, so no key can name a path of its choosing."""
from __future__ import annotations

import os
import re
from typing import Any, Protocol

from flask import Flask, current_app

_KEY = re.compile(r"[0-9a-f]{32}")


class DocumentNotStored(LookupError):
    pass


def _checked(key: str) -> str:
    if not _KEY.fullmatch(key):
        raise DocumentNotStored(key)
    return key


class DocumentStore(Protocol):
    def save(self, key: str, data: bytes, content_type: str) -> None: ...

    def load(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalStore:
    """Files in one folder, named by their key, written atomically."""

    def __init__(self, root: str) -> None:
        self.root = root

    def _path(self, key: str) -> str:
        return os.path.join(self.root, _checked(key))

    def save(self, key: str, data: bytes, content_type: str) -> None:
        os.makedirs(self.root, mode=0o700, exist_ok=True)
        path = self._path(key)
        partial = path + ".part"
        with open(partial, "wb") as handle:
            handle.write(data)
        os.replace(partial, path)

    def load(self, key: str) -> bytes:
        try:
            with open(self._path(key), "rb") as handle:
                return handle.read()
        except FileNotFoundError as exc:
            raise DocumentNotStored(key) from exc

    def delete(self, key: str) -> None:
        try:
            os.remove(self._path(key))
        except FileNotFoundError:
            pass


class S3Store:
    """Objects in a bucket under a prefix; `client` is a boto3 S3 client (or a fake in tests)."""

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def save(self, key: str, data: bytes, content_type: str) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + _checked(key), Body=data,
                               ContentType=content_type)

    def load(self, key: str) -> bytes:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=self.prefix + _checked(key))
        except Exception as exc:  # botocore's NoSuchKey is only known at run time
            raise DocumentNotStored(key) from exc
        body: bytes = response["Body"].read()
        return body

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + _checked(key))


def init_document_store(app: Flask) -> None:
    """Build the app's one document store from DOCUMENTS_STORE."""
    store: DocumentStore
    if app.config["DOCUMENTS_STORE"] == "s3":
        try:
            import boto3  # type: ignore[import-not-found,unused-ignore]
        except ImportError as exc:  # an optional dependency: say which one is missing
            raise RuntimeError("DOCUMENTS_STORE=s3 needs boto3: pip install boto3") from exc
        client = boto3.client("s3", endpoint_url=app.config["DOCUMENTS_S3_ENDPOINT_URL"] or None)
        store = S3Store(client, app.config["DOCUMENTS_S3_BUCKET"], app.config["DOCUMENTS_S3_PREFIX"])
    else:
        store = LocalStore(app.config["DOCUMENTS_DIR"])
    app.extensions["planner_documents"] = store


def document_store() -> DocumentStore:
    store: DocumentStore = current_app.extensions["planner_documents"]
    return store
