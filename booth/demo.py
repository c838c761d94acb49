"""The demo event: 8 stations, 8 displays, device accounts and painted base images, and
the uniform try-on, business portrait and résumé experiences (with a dozen fictional
companies) for staff to put on a station."""

import functools
import hashlib
import io
import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from PIL import Image

from displays.models import MAX_DISPLAYS, Display, Station
from experiences.library import demo_art
from experiences.models.events import Event, Experience
from experiences.models.library import BaseImage
from experiences.photo import base_faces
from experiences.photo.imaging import encode_jpeg
from experiences.resume.demo_companies import demo_rows
from experiences.resume.library import import_companies
from moderation.models import ConsentText

CONSENT_VERSION = "1"
# The free-kick challenge: shots come from its sensor (an integration token, see
# `manage.py create_integration`), commentary shows on /displays/commentary/.
SPORTS_DEMO_NAME = "Free-kick challenge"
CONSENT_TEXTS = {
    "en": (
        "Booth takes one photo of your face to create your portrait. Your photo and result "
        "are stored for {retention_hours} hours so you can download them from the QR code, "
        "then deleted for good. You can delete them earlier from your result page. Your "
        "result is shown on the booth's display."
    ),
    "ko": (
        "Booth는 초상화를 만들기 위해 얼굴 사진을 한 장 촬영합니다. "
        "사진과 결과물은 QR 코드로 내려받을 수 있도록 {retention_hours}시간 동안 보관한 뒤 "
        "완전히 삭제합니다. 결과 페이지에서 언제든 먼저 삭제할 수 있습니다. "
        "결과물은 부스 디스플레이에 표시됩니다."
    ),
}


@dataclass
class DemoAccounts:
    event: Event
    devices: dict[str, str]  # username → password
    admin_password: str | None


def _password(fixed: str | None) -> str:
    return fixed or secrets.token_urlsafe(9)


@transaction.atomic
def seed_demo(
    device_password: str | None = None, admin_password: str | None = None
) -> DemoAccounts:
    """Create (or refresh) the demo event; device passwords are set anew every run."""
    event, _ = Event.objects.get_or_create(slug="demo", defaults={"name": "Booth demo"})
    Event.objects.exclude(pk=event.pk).filter(is_active=True).update(is_active=False)
    if not event.is_active:
        event.is_active = True
        event.save(update_fields=["is_active"])
    experience, created = Experience.objects.get_or_create(
        event=event,
        name="Past life",
        defaults={"theme": Experience.Theme.PAST_LIFE, "profile_fields": ["gender"]},
    )
    if created or not experience.default_image:
        card = demo_art.paint_default_card("Booth", "Step up to a tablet to meet your past life")
        experience.default_image.save("demo-default.jpg", ContentFile(encode_jpeg(card, 85)))
    for language, body in CONSENT_TEXTS.items():
        ConsentText.objects.get_or_create(
            experience=experience,
            version=CONSENT_VERSION,
            language=language,
            defaults={"body": body},
        )
    if not experience.base_images.exists():
        _paint_base_images(experience)
    _add_photo_experiences(event)
    import_companies(demo_rows())  # the résumé experience's fictional company library

    Experience.objects.get_or_create(
        event=event,
        name=SPORTS_DEMO_NAME,
        defaults={
            "pipeline": Experience.Pipeline.SPORTS,
            "commentary_language": "ko",
            "profile_fields": [],
        },
    )

    users = get_user_model()
    devices = {}
    for number in range(1, MAX_DISPLAYS + 1):
        display, _ = Display.objects.get_or_create(
            event=event, number=number, defaults={"name": f"LED wall {number}"}
        )
        username = f"station{number}"
        user, _ = users.objects.get_or_create(username=username)
        devices[username] = _password(device_password)
        user.set_password(devices[username])
        user.save()
        Station.objects.get_or_create(
            event=event,
            number=number,
            defaults={
                "experience": experience,
                "user": user,
                "display": display,
                "name": f"Tablet {number}",
            },
        )
    admin_secret = None
    if not users.objects.filter(username="admin").exists():
        admin_secret = _password(admin_password)
        users.objects.create_superuser("admin", "", admin_secret)
    return DemoAccounts(event=event, devices=devices, admin_password=admin_secret)


# Offered in admin for any station; no station runs them by default, so the demo's
# eight walls stay on past-life portraits.
PHOTO_EXPERIENCES = [
    (
        "Uniform try-on",
        Experience.Pipeline.UNIFORM,
        Experience.Theme.TEAM_UNIFORM,
        ["gender", "uniform_colour"],
    ),
    ("Business portrait", Experience.Pipeline.BUSINESS, Experience.Theme.BUSINESS, ["gender"]),
    ("Résumé", Experience.Pipeline.RESUME, Experience.Theme.BUSINESS, ["gender"]),
]


def _add_photo_experiences(event: Event) -> None:
    """The uniform try-on and the business portrait, with the demo's consent texts."""
    for name, pipeline, theme, profile_fields in PHOTO_EXPERIENCES:
        experience, _ = Experience.objects.get_or_create(
            event=event,
            name=name,
            defaults={"pipeline": pipeline, "theme": theme, "profile_fields": profile_fields},
        )
        for language, body in CONSENT_TEXTS.items():
            ConsentText.objects.get_or_create(
                experience=experience,
                version=CONSENT_VERSION,
                language=language,
                defaults={"body": body},
            )


def _paint_base_images(experience: Experience) -> None:
    for persona in demo_art.PERSONAS:
        save_base_image(experience, persona)


def save_base_image(
    experience: Experience,
    persona: demo_art.Persona,
    image_jpeg: bytes | None = None,
    **overrides,
) -> BaseImage:
    """Store a painted persona as an approved base image; `overrides` change its fields."""
    fields = {
        "title": persona.title,
        "country": persona.country,
        "era": persona.era,
        "occupation": persona.occupation,
        "gender": persona.gender,
        "face_box": demo_art.FACE_BOX.as_list(),
        "story": persona.story,
        "story_ko": demo_art.STORIES_KO.get(persona.key, ""),
        "approved": True,
    }
    if image_jpeg is None:
        image_jpeg = encode_jpeg(demo_art.paint_portrait(persona), 90)
    fields["content_sha256"] = hashlib.sha256(image_jpeg).hexdigest()
    fields.update(_measured_face(image_jpeg))
    base = BaseImage(experience=experience, **{**fields, **overrides})
    base.image.save(f"{persona.key}.jpg", ContentFile(image_jpeg), save=False)
    base.save()
    return base


@functools.lru_cache(maxsize=32)
def _measured_face(image_jpeg: bytes) -> dict:
    """The painted face's box, landmarks and pose, as any base image gets them on import
    (remembered per image: tests store the same painted portraits many times). A painting
    the mesh cannot read keeps the painted face box and is blended as an oval."""
    image = Image.open(io.BytesIO(image_jpeg)).convert("RGB")
    try:
        return base_faces.measure(image).fields()
    except base_faces.UnusableFace:
        return {}
