"""Start-up warnings for an AWS configuration that would fail on the day, found without
calling AWS: presigned-URL expiry over S3's cap, base-image sizes the configured models
refuse, and model ids a region cannot call. `manage.py aws_preflight` asks AWS itself."""

from django.conf import settings
from django.core.checks import Warning, register

from operations import aws_setup

MAX_PRESIGN_SECONDS = 604_800  # SigV4's limit, as kernel.aws.MAX_PRESIGN_SECONDS


@register("aws")
def presign_expiry_is_within_sigv4(app_configs, **kwargs) -> list[Warning]:
    requested = getattr(settings, "BOOTH_S3_URL_EXPIRY_REQUESTED", 0)
    if max(requested, settings.BOOTH_S3_URL_EXPIRY_SECONDS) <= MAX_PRESIGN_SECONDS:
        return []
    return [
        Warning(
            f"BOOTH_S3_URL_EXPIRY_SECONDS is {requested} s; S3 refuses presigned URLs valid "
            f"for more than {MAX_PRESIGN_SECONDS} s (7 days), so Booth uses "
            f"{MAX_PRESIGN_SECONDS}.",
            hint="Set BOOTH_S3_URL_EXPIRY_SECONDS to at most 604800 (minutes are plenty: "
            "every page view asks for a fresh URL).",
            id="booth.W101",
        )
    ]


@register("aws")
def default_base_image_size_fits_the_models(app_configs, **kwargs) -> list[Warning]:
    # Function-level import: experiences.photo.backends imports the models registry, which is not
    # ready while booth's checks module is imported at app loading (app-registry cycle).
    from experiences.library.bedrock_images import DEFAULT_SIZE, check_size

    warnings = []
    for setting in ("BOOTH_BEDROCK_TITAN_IMAGE_MODEL", "BOOTH_BEDROCK_SD_IMAGE_MODEL"):
        try:
            check_size(getattr(settings, setting), *DEFAULT_SIZE)
        except ValueError as exc:
            warnings.append(
                Warning(
                    f"{setting}: {exc}",
                    hint="Give every generation spec a `size` from that list.",
                    id="booth.W102",
                )
            )
    return warnings


@register("aws")
def model_ids_fit_the_region(app_configs, **kwargs) -> list[Warning]:
    if not aws_setup.aws_in_use():
        return []
    region = settings.BOOTH_AWS_REGION
    warnings = []
    for use in aws_setup.models_in_use():
        # The library's Stability model is often used from another region on purpose
        # (generate_base_images is run by hand): aws_preflight reports it as a warning.
        problems = aws_setup.offline_model_problems(
            use.model_id, region, stability_region=use.required
        )
        for problem in problems:
            warnings.append(
                Warning(
                    f"{use.setting} ({use.purpose}): {problem}",
                    hint="Run `manage.py aws_preflight` to ask Bedrock what this account and "
                    "region offer.",
                    id="booth.W103",
                )
            )
    return warnings
