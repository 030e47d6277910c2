# SPDX-License-Identifier: Apache-2.0
"""Runs a moto S3 server on a free loopback port for pgopipe's tests and benchmarks.

Usage: python moto_launcher.py [--no-auth] [--bucket NAME]...

Prints one JSON line on stdout once ready:
  {"endpoint": "http://127.0.0.1:PORT", "access_key": ..., "secret_key": ..., "region": ...}
then serves until stdin closes or SIGTERM/SIGINT arrives (so the server never outlives
the test that started it).

With authentication on (the default) every request must carry a valid SigV4 signature
from the IAM access key printed above (an IAM user with an s3:* policy, created while
moto still accepts unauthenticated calls); a wrong secret is rejected.
"""
import argparse
import json
import logging
import os
import signal
import sys
import threading

os.environ.setdefault("MOTO_ALLOW_NONEXISTENT_REGION", "true")

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from moto import settings  # noqa: E402
from moto.core.responses import ActionAuthenticatorMixin  # noqa: E402
from moto.moto_server.threaded_moto_server import ThreadedMotoServer  # noqa: E402

REGION = "us-east-1"
S3_POLICY = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
})


def _verify_signatures_against_raw_uri() -> None:
    """Makes moto check SigV4 signatures against the request line as the client sent it.

    moto rebuilds the URL through werkzeug's IRI conversion before recomputing the
    signature, which decodes '%2F' in query values (ListObjectsV2 prefix=a/b/) and '%3A'
    or '%2B' in paths, so correctly signed requests fail. The raw request URI (RAW_URI in
    the WSGI environment of werkzeug's server) is exactly what the client signed.
    """
    original = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def patched(self, iam_request_cls, resource="*"):
        environ = getattr(getattr(self, "request", None), "environ", None) or {}
        raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
        if not raw:
            return original(self, iam_request_cls, resource)
        saved = self.uri
        self.uri = raw
        try:
            return original(self, iam_request_cls, resource)
        finally:
            self.uri = saved

    ActionAuthenticatorMixin._authenticate_and_authorize_action = patched


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-auth", action="store_true", help="accept unsigned requests")
    parser.add_argument("--bucket", action="append", default=[], help="bucket to create")
    args = parser.parse_args()

    _verify_signatures_against_raw_uri()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"

    # Set-up runs unauthenticated (moto's default: no auth), then auth is switched on.
    bootstrap = dict(endpoint_url=endpoint, region_name=REGION, aws_access_key_id="bootstrap",
                     aws_secret_access_key="bootstrap",
                     config=Config(s3={"addressing_style": "path"}))
    access_key, secret_key = "bootstrap", "bootstrap"
    if not args.no_auth:
        iam = boto3.client("iam", **bootstrap)
        iam.create_user(UserName="pgopipe-test")
        iam.put_user_policy(UserName="pgopipe-test", PolicyName="s3-all",
                            PolicyDocument=S3_POLICY)
        key = iam.create_access_key(UserName="pgopipe-test")["AccessKey"]
        access_key, secret_key = key["AccessKeyId"], key["SecretAccessKey"]
    s3 = boto3.client("s3", **bootstrap)
    for bucket in args.bucket:
        s3.create_bucket(Bucket=bucket)
    if not args.no_auth:
        settings.INITIAL_NO_AUTH_ACTION_COUNT = 0  # every request from now on is verified

    print(json.dumps({"endpoint": endpoint, "access_key": access_key,
                      "secret_key": secret_key, "region": REGION}), flush=True)

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    threading.Thread(target=lambda: (sys.stdin.read(), done.set()), daemon=True).start()
    done.wait()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
