"""docs/iam-policy.json against the AWS operations Booth's code calls.

The operations are derived from the source, not listed by hand: every file that makes a
client with `aws.client("<service>")` (or `.client("<service>")`) is scanned for calls of
that service's operations (botocore's own operation names, snake_cased), paginators and
presigned URLs. Each operation maps to the IAM action that authorises it, and each action
must be allowed by the policy; the policy must allow nothing the code does not call."""

import ast
import fnmatch
import json
from pathlib import Path

import botocore.session
from botocore import xform_name

ROOT = Path(__file__).resolve().parents[2]
POLICY = ROOT / "docs" / "iam-policy.json"
SOURCES = [
    path
    for package in (
        "booth",
        "kernel",
        "experiences",
        "displays",
        "moderation",
        "visitors",
        "operations",
    )
    for path in ROOT.glob(f"{package}/**/*.py")
]
# What django-storages' S3 backend calls for media (kernel.storage.PrivateS3Storage): save,
# open, exists/size (HeadObject), delete, listdir, and presigned GETs.
MEDIA_STORAGE_OPERATIONS = {
    ("s3", "PutObject"),
    ("s3", "GetObject"),
    ("s3", "HeadObject"),
    ("s3", "DeleteObject"),
    ("s3", "ListObjectsV2"),
}
IAM_PREFIX = {"sagemaker-runtime": "sagemaker", "bedrock-runtime": "bedrock"}
# Operations authorised by another action, or by none.
IAM_ACTION = {
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "DeleteObjects"): "s3:DeleteObject",
    ("s3", "GetPublicAccessBlock"): "s3:GetBucketPublicAccessBlock",
    ("bedrock-runtime", "Converse"): "bedrock:InvokeModel",
    ("bedrock-runtime", "ConverseStream"): "bedrock:InvokeModelWithResponseStream",
    ("sts", "GetCallerIdentity"): None,  # needs no permission
}


def service_operations(service: str) -> dict[str, str]:
    model = botocore.session.get_session().get_service_model(service)
    return {xform_name(name): name for name in model.operation_names}


def called_operations() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for source in SOURCES:
        tree = ast.parse(source.read_text(encoding="utf-8"))
        services = {
            node.args[0].value
            for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "client"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        }
        for service in services:
            operations = service_operations(service)
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                    continue
                name = node.func.attr
                if name in ("get_paginator", "generate_presigned_url") and node.args:
                    name = getattr(node.args[0], "value", "")
                if name in operations:
                    found.add((service, operations[name]))
    return found


def iam_action(service: str, operation: str) -> str | None:
    if (service, operation) in IAM_ACTION:
        return IAM_ACTION[(service, operation)]
    return f"{IAM_PREFIX.get(service, service)}:{operation}"


def allowed_actions() -> list[str]:
    statements = json.loads(POLICY.read_text())["Statement"]
    actions = []
    for statement in statements:
        assert statement["Effect"] == "Allow"
        listed = statement["Action"]
        actions.extend([listed] if isinstance(listed, str) else listed)
    return actions


def is_allowed(action: str) -> bool:
    return any(fnmatch.fnmatchcase(action, pattern) for pattern in allowed_actions())


def test_the_scan_finds_the_operations_the_backends_call():
    calls = called_operations()
    # One of each kind of call site, so the scan itself is known to work.
    assert ("rekognition", "DetectFaces") in calls
    assert ("sagemaker-runtime", "InvokeEndpointAsync") in calls
    assert ("s3", "ListObjectsV2") in calls  # a paginator
    assert ("bedrock-runtime", "Converse") in calls
    assert ("bedrock", "ListFoundationModels") in calls  # the preflight


def test_every_operation_the_code_calls_is_allowed_by_the_policy():
    needed = {
        action
        for service, operation in called_operations() | MEDIA_STORAGE_OPERATIONS
        if (action := iam_action(service, operation))
    }
    missing = sorted(action for action in needed if not is_allowed(action))
    assert not missing, f"docs/iam-policy.json does not allow {missing}"


def test_the_policy_allows_nothing_the_code_does_not_call():
    needed = {
        iam_action(service, operation)
        for service, operation in called_operations() | MEDIA_STORAGE_OPERATIONS
    }
    extra = sorted(set(allowed_actions()) - needed)
    assert not extra, f"docs/iam-policy.json allows {extra}, which no code calls"
    assert not any("*" in action for action in allowed_actions())


def test_list_bucket_is_allowed_only_for_the_prefixes():
    statements = json.loads(POLICY.read_text())["Statement"]
    for statement in statements:
        if "s3:ListBucket" in statement["Action"]:
            prefixes = statement["Condition"]["StringLike"]["s3:prefix"]
            assert all(prefix.endswith("*") and prefix != "*" for prefix in prefixes)
