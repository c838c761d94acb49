"""Base-image generation with Bedrock image models, in each model family's native shape.

Used by `manage.py generate_base_images` only: visitors' jobs never wait for generation.
Titan Image Generator v2 (TEXT_IMAGE) and Stable Diffusion XL were the reference booth's
models; the newer Stability models (SD3, Stable Image Ultra/Core) take a simpler body and
are handled too. A content-filtered or failed generation raises BackendFailed saying so.

Each family accepts only some sizes (a request with another one fails with
ValidationException, before the event, for the whole library): `check_size` names them, and
the library checks a spec with it when the spec is read. DEFAULT_SIZE is one that every
family accepts.
"""

import base64
import binascii
import io

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from experiences.photo.backends import BackendFailed
from kernel import aws

# Titan Image Generator v1 and v2 (the same table for TEXT_IMAGE): width × height.
TITAN_SIZES = (
    (1024, 1024), (768, 768), (512, 512),
    (768, 1152), (384, 576), (1152, 768), (576, 384),
    (768, 1280), (384, 640), (1280, 768), (640, 384),
    (896, 1152), (448, 576), (1152, 896), (576, 448),
    (768, 1408), (384, 704), (1408, 768), (704, 384),
    (640, 1408), (320, 704), (1408, 640), (704, 320),
    (1152, 640), (1173, 640),
)  # fmt: skip
# Stable Diffusion XL 1.0 on Bedrock: these and their transposes only.
SDXL_SIZES = tuple(
    sorted({size for w, h in ((1024, 1024), (1152, 896), (1216, 832), (1344, 768), (1536, 640))
            for size in ((w, h), (h, w))})
)  # fmt: skip
# SD3 and the Stable Image models take an aspect ratio (the model picks the pixels): a size
# is accepted when its ratio is within this of one of ASPECT_RATIOS.
ASPECT_TOLERANCE = 0.05
# Portrait, and in every table above (SD3/Stable Image: 4:5).
DEFAULT_SIZE = (896, 1152)


def _invoke(model_id: str, body: dict) -> dict:
    try:
        return aws.invoke_json(model_id, body, read_timeout=settings.BOOTH_IMAGE_GENERATION_TIMEOUT)
    except aws.AWSCallFailed as exc:
        raise BackendFailed(str(exc)) from exc


def _decode(model_id: str, data: str) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(base64.b64decode(data, validate=True)))
        image.load()
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError) as exc:
        raise BackendFailed(f"{model_id} returned an image Booth cannot decode.") from exc
    return image.convert("RGB")


class TitanImageGenerator:
    """Amazon Titan Image Generator v2, TEXT_IMAGE task."""

    name = "aws-bedrock-titan"

    def __init__(
        self, model_id: str | None = None, cfg_scale: float = 8.0, quality: str = "premium"
    ):
        self.model_id = model_id or settings.BOOTH_BEDROCK_TITAN_IMAGE_MODEL
        self.cfg_scale, self.quality = cfg_scale, quality

    def request(
        self, prompt: str, *, negative_prompt: str, seed: int, width: int, height: int
    ) -> dict:
        params = {"text": prompt}
        if negative_prompt:  # Titan rejects an empty negativeText
            params["negativeText"] = negative_prompt
        return {
            "taskType": "TEXT_IMAGE",
            "textToImageParams": params,
            "imageGenerationConfig": {
                "numberOfImages": 1,
                "height": height,
                "width": width,
                "cfgScale": self.cfg_scale,
                "seed": seed,
                "quality": self.quality,
            },
        }

    def generate(
        self, prompt: str, *, negative_prompt: str, seed: int, width: int, height: int
    ) -> Image.Image:
        reply = _invoke(
            self.model_id,
            self.request(
                prompt, negative_prompt=negative_prompt, seed=seed, width=width, height=height
            ),
        )
        if reply.get("error"):
            raise BackendFailed(f"{self.model_id} refused the prompt: {reply['error']}")
        images = reply.get("images") or []
        if not images:
            raise BackendFailed(f"{self.model_id} returned no image.")
        return _decode(self.model_id, images[0])


class StableDiffusionImageGenerator:
    """Stable Diffusion on Bedrock: the SDXL body (text_prompts, artifacts), or for SD3 and
    Stable Image models the newer one (prompt, images, finish_reasons)."""

    name = "aws-bedrock-stable-diffusion"

    def __init__(
        self,
        model_id: str | None = None,
        cfg_scale: float = 7.0,
        steps: int = 40,
        style_preset: str = "photographic",
    ):
        self.model_id = model_id or settings.BOOTH_BEDROCK_SD_IMAGE_MODEL
        self.cfg_scale, self.steps, self.style_preset = cfg_scale, steps, style_preset

    @property
    def sdxl(self) -> bool:
        return "stable-diffusion-xl" in self.model_id

    def request(
        self, prompt: str, *, negative_prompt: str, seed: int, width: int, height: int
    ) -> dict:
        if not self.sdxl:
            body = {
                "prompt": prompt,
                "seed": seed,
                "output_format": "png",
                "aspect_ratio": aspect_ratio(width, height),
            }
            if negative_prompt:
                body["negative_prompt"] = negative_prompt
            return body
        prompts = [{"text": prompt, "weight": 1.0}]
        if negative_prompt:
            prompts.append({"text": negative_prompt, "weight": -1.0})
        body = {
            "text_prompts": prompts,
            "cfg_scale": self.cfg_scale,
            "seed": seed,
            "steps": self.steps,
            "width": width,
            "height": height,
        }
        if self.style_preset:
            body["style_preset"] = self.style_preset
        return body

    def generate(
        self, prompt: str, *, negative_prompt: str, seed: int, width: int, height: int
    ) -> Image.Image:
        reply = _invoke(
            self.model_id,
            self.request(
                prompt, negative_prompt=negative_prompt, seed=seed, width=width, height=height
            ),
        )
        if self.sdxl:
            artifacts = reply.get("artifacts") or []
            if not artifacts:
                raise BackendFailed(f"{self.model_id} returned no image.")
            reason = artifacts[0].get("finishReason", "SUCCESS")
            if reason != "SUCCESS":
                raise BackendFailed(_finish_message(self.model_id, reason))
            return _decode(self.model_id, artifacts[0]["base64"])
        reasons = reply.get("finish_reasons") or [None]
        if reasons[0]:
            raise BackendFailed(_finish_message(self.model_id, reasons[0]))
        images = reply.get("images") or []
        if not images:
            raise BackendFailed(f"{self.model_id} returned no image.")
        return _decode(self.model_id, images[0])


def _finish_message(model_id: str, reason: str) -> str:
    if "FILTER" in reason.upper():
        return f"{model_id} filtered the image ({reason}): reword the prompt or the attributes."
    return f"{model_id} did not finish the image ({reason})."


ASPECT_RATIOS = ("16:9", "1:1", "21:9", "2:3", "3:2", "4:5", "5:4", "9:16", "9:21")


def aspect_ratio(width: int, height: int) -> str:
    """The newer Stability models take an aspect ratio, not a size: the closest one."""
    target = width / height

    def distance(ratio: str) -> float:
        w, h = ratio.split(":")
        return abs(int(w) / int(h) - target)

    return min(ASPECT_RATIOS, key=distance)


def allowed_sizes(model_id: str) -> tuple[tuple[int, int], ...] | None:
    """The model family's size table, or None for the aspect-ratio models."""
    if model_id.startswith("amazon.titan-image"):
        return TITAN_SIZES
    if "stable-diffusion-xl" in model_id:
        return SDXL_SIZES
    return None


def check_size(model_id: str, width: int, height: int) -> None:
    """Raise ValueError naming the sizes `model_id` accepts if width × height is not one."""
    table = allowed_sizes(model_id)
    if table is not None:
        if (width, height) not in table:
            listing = ", ".join(f"{w}x{h}" for w, h in table)
            raise ValueError(
                f"{model_id} does not generate {width}x{height} images; use one of: {listing}."
            )
        return
    ratio = aspect_ratio(width, height)
    w, h = (int(v) for v in ratio.split(":"))
    if abs(width / height - w / h) > ASPECT_TOLERANCE * (w / h):
        raise ValueError(
            f"{model_id} takes an aspect ratio, and {width}x{height} is not close to any it "
            f"offers ({', '.join(ASPECT_RATIOS)}); use a size with one of those ratios, "
            f"e.g. {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]}."
        )


# `sdxl` is the older name of `stability` (both: BOOTH_BEDROCK_SD_IMAGE_MODEL).
MODELS = {
    "titan": TitanImageGenerator,
    "stability": StableDiffusionImageGenerator,
    "sdxl": StableDiffusionImageGenerator,
}


def generator_for(model: str):
    """`titan`, `stability` (`sdxl`), or a Bedrock model id (amazon.titan-… / stability.…)."""
    if model in MODELS:
        return MODELS[model]()
    if model.startswith("amazon.titan-image"):
        return TitanImageGenerator(model)
    if model.startswith("stability."):
        return StableDiffusionImageGenerator(model)
    raise ValueError(
        f"Unknown image model {model!r}: use titan, sdxl or a Bedrock model id "
        "starting with amazon.titan-image or stability."
    )
