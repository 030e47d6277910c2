# SPDX-License-Identifier: Apache-2.0
"""An independent S3 client (boto3) for pgopipe's tests.

Usage (connection from the environment: PGOPIPE_S3_ENDPOINT, AWS_ACCESS_KEY_ID,
AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION):
  s3_peer.py head BUCKET KEY            -> {"size": N, "metadata": {...}}
  s3_peer.py get BUCKET KEY FILE        -> writes the object's bytes to FILE
  s3_peer.py put BUCKET KEY FILE [NAME=VALUE]...   (x-amz-meta-NAME headers)
  s3_peer.py tamper BUCKET KEY          -> flips the first byte, keeping the metadata
  s3_peer.py list BUCKET PREFIX         -> {"keys": [...]}
"""
import json
import os
import sys

import boto3
from botocore.config import Config


def client():
    return boto3.client("s3", endpoint_url=os.environ["PGOPIPE_S3_ENDPOINT"],
                        region_name=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
                        config=Config(s3={"addressing_style": "path"},
                                      retries={"max_attempts": 1}))


def main(argv):
    s3 = client()
    op, bucket = argv[1], argv[2]
    if op == "head":
        r = s3.head_object(Bucket=bucket, Key=argv[3])
        print(json.dumps({"size": r["ContentLength"], "metadata": r["Metadata"]}))
    elif op == "get":
        with open(argv[4], "wb") as f:
            f.write(s3.get_object(Bucket=bucket, Key=argv[3])["Body"].read())
    elif op == "put":
        meta = dict(item.split("=", 1) for item in argv[5:])
        with open(argv[4], "rb") as f:
            s3.put_object(Bucket=bucket, Key=argv[3], Body=f.read(), Metadata=meta)
    elif op == "tamper":
        obj = s3.get_object(Bucket=bucket, Key=argv[3])
        body = bytearray(obj["Body"].read())
        body[0] ^= 0xFF
        s3.put_object(Bucket=bucket, Key=argv[3], Body=bytes(body), Metadata=obj["Metadata"])
    elif op == "list":
        pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=argv[3])
        print(json.dumps({"keys": [o["Key"] for p in pages for o in p.get("Contents", [])]}))
    else:
        print(f"unknown operation {op}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
