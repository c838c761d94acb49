"""What the configured AWS deployment uses, and what can be known about it offline.

Shared by the start-up system checks (operations/aws_checks.py, no network) and
`manage.py aws_preflight` (operations/preflight.py, which asks AWS). The tables here are what
Booth knew when they were written; Bedrock's own answer (ListFoundationModels,
GetInferenceProfile) is the authority, which is why the preflight exists.
"""

import re
from dataclasses import dataclass

from django.conf import settings

# Cross-region inference profiles: the id's geography prefix and the regions that may
# call it (the source region must be in the profile's geography).
PROFILE_GEOGRAPHIES = {
    "us": ("us-",),
    "us-gov": ("us-gov-",),
    "eu": ("eu-",),
    "apac": ("ap-",),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
    "au": ("ap-southeast-2", "ap-southeast-4"),
    "ca": ("ca-",),
    "global": ("",),
}
# Claude models from 3.7 on are offered through inference profiles only: a bare
# `anthropic.…` id answers "on-demand throughput isn't supported".
PROFILE_ONLY = re.compile(r"^anthropic\.claude-(3-7-|sonnet-4|opus-4|haiku-4)")
# Ids Bedrock has moved to Legacy or End-of-Life: "The provided model identifier is invalid".
RETIRED_MODELS = {
    "anthropic.claude-v2",
    "anthropic.claude-v2:1",
    "anthropic.claude-instant-v1",
    "anthropic.claude-3-sonnet-20240229-v1:0",
    "anthropic.claude-3-opus-20240229-v1:0",
    "anthropic.claude-3-5-sonnet-20240620-v1:0",
    "anthropic.claude-3-5-sonnet-20241022-v2:0",
    "anthropic.claude-3-7-sonnet-20250219-v1:0",
    "amazon.titan-image-generator-v1",
    "stability.stable-diffusion-xl-v1",
}
# The Stability models on Bedrock are offered in few regions.
STABILITY_REGIONS = {
    "stability.sd3-5-large-v1:0": ("us-west-2",),
    "stability.sd3-large-v1:0": ("us-west-2",),
    "stability.stable-image-core-v1:1": ("us-west-2",),
    "stability.stable-image-ultra-v1:1": ("us-west-2",),
}


@dataclass(frozen=True)
class ModelUse:
    setting: str
    model_id: str
    purpose: str
    required: bool  # a visitor's job needs it (else only the base-image library does)


@dataclass(frozen=True)
class EndpointUse:
    setting: str
    name: str
    asynchronous: bool
    purpose: str


def _uses(setting: str, *fragments: str) -> bool:
    value = getattr(settings, setting, "") or ""
    return any(fragment in value for fragment in fragments)


def models_in_use() -> list[ModelUse]:
    """Every Bedrock model id the configuration calls: the visitors' ones when their
    backend is selected, and the base-image library's always (it is run by hand)."""
    candidates = [
        ("BOOTH_BEDROCK_STORY_MODEL", "visitors' stories", _uses("BOOTH_STORY_WRITER", "bedrock")),
        ("BOOTH_COMMENTARY_MODEL_ID", "sports commentary", _uses("BOOTH_COMMENTATOR", "bedrock")),
        (
            "BOOTH_TITAN_IMAGE_EDIT_MODEL",
            "uniform try-on and business portrait",
            _uses("BOOTH_UNIFORM_PAINTER", "titan")
            or _uses("BOOTH_BUSINESS_PORTRAIT_MAKER", "titan"),
        ),
    ]
    found = [
        ModelUse(setting, getattr(settings, setting), purpose, True)
        for setting, purpose, used in candidates
        if used
    ]
    for setting in ("BOOTH_BEDROCK_TITAN_IMAGE_MODEL", "BOOTH_BEDROCK_SD_IMAGE_MODEL"):
        found.append(ModelUse(setting, getattr(settings, setting), "base-image library", False))
    return found


def endpoints_in_use() -> list[EndpointUse]:
    found = []
    if _uses("BOOTH_COMPOSITOR", "sagemaker"):
        found.append(EndpointUse("BOOTH_SAGEMAKER_ENDPOINT", settings.BOOTH_SAGEMAKER_ENDPOINT,
                                 _uses("BOOTH_COMPOSITOR", "Async"), "face swap"))  # fmt: skip
    if _uses("BOOTH_SLOW_MOTION", "Film"):
        found.append(EndpointUse("BOOTH_FILM_ENDPOINT", settings.BOOTH_FILM_ENDPOINT, True,
                                 "FILM replays"))  # fmt: skip
    return found


def aws_in_use() -> bool:
    """Whether anything in this configuration calls AWS (the offline demo does not)."""
    backends = ("BOOTH_FACE_DETECTOR", "BOOTH_COMPOSITOR", "BOOTH_STORY_WRITER",
                "BOOTH_UNIFORM_PAINTER", "BOOTH_BUSINESS_PORTRAIT_MAKER", "BOOTH_COMMENTATOR",
                "BOOTH_SLOW_MOTION")  # fmt: skip
    return bool(
        settings.BOOTH_AWS_S3_BUCKET
        or settings.BOOTH_S3_BUCKET
        or any(_uses(name, "rekognition", "sagemaker", "bedrock", "titan", "Film")
               for name in backends)
    )  # fmt: skip


def profile_geography(model_id: str) -> str | None:
    """`us` for `us.anthropic.…`; None for a foundation-model id."""
    head, dot, _rest = model_id.partition(".")
    return head if dot and head in PROFILE_GEOGRAPHIES else None


def suggested_profile(model_id: str, region: str) -> str:
    """The inference-profile id a region can call for a foundation-model id."""
    for geography in ("us-gov", "jp", "au", "us", "eu", "apac", "ca"):
        if any(region.startswith(p) for p in PROFILE_GEOGRAPHIES[geography]):
            return f"{geography}.{model_id}"
    return f"global.{model_id}"


def offline_model_problems(
    model_id: str, region: str, *, stability_region: bool = True
) -> list[str]:
    """What is wrong with calling `model_id` from `region`, as far as Booth knows offline;
    each a sentence naming the fix. `stability_region=False` skips the Stability models'
    region, for the base-image library, which is run by hand in the region it needs."""
    problems = []
    geography = profile_geography(model_id)
    base = model_id.split(".", 1)[1] if geography else model_id
    if base in RETIRED_MODELS:
        problems.append(
            f'{model_id} is a legacy or retired Bedrock model ("The provided model identifier '
            'is invalid" once it reaches end of life): choose an active model, see docs/aws.md.'
        )
    if geography and not any(region.startswith(p) for p in PROFILE_GEOGRAPHIES[geography]):
        problems.append(
            f"{model_id} is a {geography}. inference profile, which region {region} cannot call: "
            f"use {suggested_profile(base, region)} or set BOOTH_AWS_REGION to a region in it."
        )
    if not geography and PROFILE_ONLY.match(model_id):
        problems.append(
            f"{model_id} is offered through inference profiles only: use "
            f"{suggested_profile(model_id, region)}."
        )
    regions = STABILITY_REGIONS.get(model_id)
    if stability_region and regions and region not in regions:
        problems.append(
            f"{model_id} is offered in {', '.join(regions)}, not {region}: run "
            f"generate_base_images with BOOTH_AWS_REGION={regions[0]}, or choose another model."
        )
    return problems
