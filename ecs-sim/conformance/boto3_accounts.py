#!/usr/bin/env python3
"""boto3 against ecs-sim's accounts, regions and STS (by hand; not part of `make test`).

    python3 -m venv /tmp/sim-venv && /tmp/sim-venv/bin/pip install boto3
    cargo run -p ecs-sim -- --addr 127.0.0.1:4599 --manual-clock &
    /tmp/sim-venv/bin/python ecs-sim/conformance/boto3_accounts.py http://127.0.0.1:4599

Needs the default world (`--world default`). Exits non-zero on the first mismatch.
"""
import sys

import boto3
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:4599"
ROLE = "arn:aws:iam::234567890123:role/DaemonPortal"
EXTERNAL_ID = "daemon-portal-staging"


def client(service, region, key="AKID", secret="secret", token=None):
    return boto3.client(
        service,
        region_name=region,
        endpoint_url=ENDPOINT,
        aws_access_key_id=key,
        aws_secret_access_key=secret,
        aws_session_token=token,
    )


def check(what, got, want):
    if got != want:
        sys.exit(f"FAIL {what}: got {got!r}, want {want!r}")
    print(f"ok   {what}")


sts = client("sts", "us-east-1")
check("unknown keys act in the default account",
      sts.get_caller_identity()["Account"], "123456789012")

try:
    sts.assume_role(RoleArn="arn:aws:iam::234567890123:role/Admin", RoleSessionName="boto3")
    sys.exit("FAIL a role outside the world file was assumed")
except ClientError as e:
    check("a role outside the world file is refused", e.response["Error"]["Code"], "AccessDenied")
    check("with status 403", e.response["ResponseMetadata"]["HTTPStatusCode"], 403)

try:
    sts.assume_role(RoleArn=ROLE, RoleSessionName="boto3")
    sys.exit("FAIL the role was assumed without its external id")
except ClientError as e:
    check("the role's external id is required", e.response["Error"]["Code"], "AccessDenied")

creds = sts.assume_role(RoleArn=ROLE, RoleSessionName="boto3", ExternalId=EXTERNAL_ID)["Credentials"]
session = dict(key=creds["AccessKeyId"], secret=creds["SecretAccessKey"], token=creds["SessionToken"])
print(f"     assumed {ROLE}: {creds['AccessKeyId']}, expires {creds['Expiration']}")

me = client("sts", "us-east-1", **session).get_caller_identity()
check("GetCallerIdentity names the role's account", me["Account"], "234567890123")
check("and the session", me["Arn"], "arn:aws:sts::234567890123:assumed-role/DaemonPortal/boto3")

check("staging's clusters in us-east-1",
      client("ecs", "us-east-1", **session).list_clusters()["clusterArns"],
      ["arn:aws:ecs:us-east-1:234567890123:cluster/staging"])
check("staging's clusters in eu-west-1",
      client("ecs", "eu-west-1", **session).list_clusters()["clusterArns"],
      ["arn:aws:ecs:eu-west-1:234567890123:cluster/staging-eu"])
check("the default account's clusters in us-east-1",
      client("ecs", "us-east-1").list_clusters()["clusterArns"],
      ["arn:aws:ecs:us-east-1:123456789012:cluster/default", "arn:aws:ecs:us-east-1:123456789012:cluster/prod"])
check("a region nobody uses has no clusters", client("ecs", "ap-south-1").list_clusters()["clusterArns"], [])
check("staging's access key from the world file",
      client("ecs", "eu-west-1", key="AKIAEXAMPLESTAGING01").list_clusters()["clusterArns"],
      ["arn:aws:ecs:eu-west-1:234567890123:cluster/staging-eu"])
print("all boto3 checks passed")
