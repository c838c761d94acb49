"""Uniform try-on and business portrait with Amazon Titan Image Generator on Bedrock,
with the reference booth's requests.

Titan's `maskImage` marks pixels (0, 0, 0) as inside the mask and (255, 255, 255) as
outside. INPAINTING redraws the inside, so for the uniform the clothes are black and
everything else white (the reference inverted its Segformer clothes mask for this).
OUTPAINTING keeps the inside and redraws the rest, so for the business portrait the face
is black and the suit and background are drawn around it.

Both calls go through `kernel.aws.invoke_json`, so throttling is retried by botocore and
every failure (ValidationException from the content filter, ThrottlingException after the
retries, ModelTimeoutException) reaches the job as an `AWSCallFailed` naming the AWS code.
"""

import base64
import io

import numpy as np
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageDraw

from experiences.photo import segmentation
from experiences.photo.faces import Box
from experiences.photo.framing import Letterbox, crop_with_fill, head_and_shoulders_box
from kernel.aws import AWSCallFailed, invoke_json

SIDE = 512  # the reference's height and width
CFG_SCALE = 8.0
UNIFORM_NEGATIVE = "bad quality, low res"
BUSINESS_NEGATIVE = "Beard, Accessory, Scarf"
BUSINESS_OUTPUT = (768, 768)
# The face kept by outpainting: the detector's box grown a little, as an ellipse, so the
# hairline and chin are kept and the suit's collar meets the jaw.
FACE_MASK_GROWTH = 0.15


def person_noun(gender: str) -> str:
    return {"female": "woman", "male": "man"}.get(gender, "person")


def uniform_prompt(colour, gender: str) -> str:
    return (
        f"{person_noun(gender)}'s soccer uniform, short-sleeved team jersey, "
        f"of {colour.prompt_name} color"
    )


def business_prompt(gender: str) -> str:
    return (
        f"A {person_noun(gender)} in a well tailored formal business suit, "
        "plain light blue background portrait photo"
    )


def png_base64(image: Image.Image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def mask_image(black: np.ndarray) -> Image.Image:
    """Titan's mask: RGB, (0, 0, 0) where `black` is set, (255, 255, 255) elsewhere."""
    values = np.where(black, 0, 255).astype(np.uint8)
    return Image.fromarray(np.dstack([values] * 3))


def generation_config() -> dict:
    return {"numberOfImages": 1, "height": SIDE, "width": SIDE, "cfgScale": CFG_SCALE}


def generated_image(body: dict) -> Image.Image:
    """Send one Titan request and decode the single image it returns."""
    model = settings.BOOTH_TITAN_IMAGE_EDIT_MODEL
    reply = invoke_json(model, body, read_timeout=settings.BOOTH_TITAN_READ_TIMEOUT or None)
    if reply.get("error"):
        raise AWSCallFailed(f"Bedrock InvokeModel ({model}) returned an error: {reply['error']}")
    images = reply.get("images") or []
    if not images:
        raise AWSCallFailed(f"Bedrock InvokeModel ({model}) returned no image")
    image = Image.open(io.BytesIO(base64.b64decode(images[0])))
    image.load()
    return image.convert("RGB")


class TitanUniformPainter:
    """The reference booth's uniform try-on: Titan inpainting of the clothes."""

    name = "bedrock-titan-inpainting"
    label = _("Amazon Titan Image Generator (inpainting of the clothes), as the reference booth")

    def request(self, photo: Image.Image, clothes: np.ndarray, colour, gender: str) -> dict:
        """The InvokeModel body: the photo and the clothes mask letterboxed to 512×512."""
        box = Letterbox.fit(photo.size, SIDE)
        square_mask = box.place_mask(clothes, fill=0)  # the bands are kept, so not masked
        return {
            "taskType": "INPAINTING",
            "inPaintingParams": {
                "image": png_base64(box.place(photo.convert("RGB"), (0, 0, 0))),
                "text": uniform_prompt(colour, gender),
                "negativeText": UNIFORM_NEGATIVE,
                "maskImage": png_base64(mask_image(square_mask > 0)),
            },
            "imageGenerationConfig": generation_config(),
        }

    def paint(self, photo: Image.Image, face_box: Box, colour, gender: str) -> Image.Image:
        rgb = np.asarray(photo.convert("RGB"))
        clothes = segmentation.clothing_mask(rgb, face_box)
        generated = generated_image(self.request(photo, clothes, colour, gender))
        redrawn = np.asarray(Letterbox.fit(photo.size, SIDE).recover(generated, photo.size))
        # Outside the clothes the photo's own full-resolution pixels are kept (Titan's copy
        # of them went through 512 px), blended over a few pixels at the seam.
        alpha = segmentation.feathered(clothes, max(2, face_box.w // 30))[..., None]
        result = redrawn.astype(np.float32) * alpha + rgb.astype(np.float32) * (1 - alpha)
        return Image.fromarray(np.clip(result + 0.5, 0, 255).astype(np.uint8))


class TitanBusinessPortraitMaker:
    """The reference's AI résumé photo: Titan outpainting around the kept face."""

    name = "bedrock-titan-outpainting"
    label = _("Amazon Titan Image Generator (outpainting around the face), as the reference")

    def request(self, photo: Image.Image, face_box: Box, gender: str) -> dict:
        """The InvokeModel body: a square head-and-shoulders crop at 512×512, face masked."""
        crop = head_and_shoulders_box(face_box, 1.0, face_share=0.28)
        pixels = crop_with_fill(np.asarray(photo.convert("RGB")), crop, "edge")
        scale = SIDE / crop.w
        image = Image.fromarray(pixels).resize((SIDE, SIDE), Image.Resampling.LANCZOS)
        face = Box(face_box.x - crop.x, face_box.y - crop.y, face_box.w, face_box.h).scaled(scale)
        grow_x, grow_y = face.w * FACE_MASK_GROWTH, face.h * FACE_MASK_GROWTH
        face_mask = Image.new("L", (SIDE, SIDE), 0)
        ImageDraw.Draw(face_mask).ellipse(
            (
                face.x - grow_x,
                face.y - 1.5 * grow_y,
                face.x + face.w + grow_x,
                face.y + face.h + grow_y,
            ),
            fill=255,
        )
        return {
            "taskType": "OUTPAINTING",
            "outPaintingParams": {
                "image": png_base64(image),
                "text": business_prompt(gender),
                "negativeText": BUSINESS_NEGATIVE,
                "maskImage": png_base64(mask_image(np.asarray(face_mask) > 0)),
                "outPaintingMode": settings.BOOTH_TITAN_OUTPAINTING_MODE,
            },
            "imageGenerationConfig": generation_config(),
        }

    def make(self, photo: Image.Image, face_box: Box, gender: str) -> Image.Image:
        generated = generated_image(self.request(photo, face_box, gender))
        return generated.resize(BUSINESS_OUTPUT, Image.Resampling.LANCZOS)
