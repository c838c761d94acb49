"""Base-image generation with Bedrock image models, in each model family's native shape.

Used by `manage.py generate_base_images` only: visitors' jobs never wait for generation.
Titan Image Generator v2 (TEXT_IMAGE) and Stable Diffusion XL were the reference booth's
models; the newer Stability models (SD3, Stable Image Ultra/Core) take a simpler body and
are handled too. A content-filtered or failed generation raises BackendFailed saying so.
"""

import base64
import binascii
import io

from django.conf import settings
from PIL import Image, UnidentifiedImageError

from experiences.photo.backends import BackendFailed
from kernel import aws


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


MODELS = {"titan": TitanImageGenerator, "sdxl": StableDiffusionImageGenerator}


def generator_for(model: str):
    """`titan`, `sdxl`, or a Bedrock model id (amazon.titan-… / stability.…)."""
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
