"""The base-image library commands: generate on (stubbed) Bedrock, import, export."""

import base64
import csv
import io
import json
from pathlib import Path

import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber
from django.core.management import CommandError, call_command
from PIL import Image

from experiences.library.pacing import Pacer
from experiences.library.spec import combination_key, seed_for
from experiences.models.library import BaseImage
from experiences.photo.backends.bedrock_text import PLACEHOLDER_NOTE, SYSTEM_PROMPTS
from kernel import aws
from tests import factories, photos

pytestmark = pytest.mark.django_db

TITAN = "amazon.titan-image-generator-v2:0"
CLAUDE = "anthropic.claude-3-haiku-20240307-v1:0"
SECRET = "generator-private-metadata"

SPEC = f"""
experience: Past life
prompt: "A {{age}} year old {{gender}} {{occupation}} in {{country}}, {{era}}, realistic portrait"
negative_prompt: "blurry"
attributes:
  country: [Korea]
  era: [1590s]
  occupation: [scholar, painter]
  age: [35]
  gender: [female, male]
seed: 7
size: 512x512
model: titan
story_model: {CLAUDE}
"""


@pytest.fixture(autouse=True)
def no_retries(settings):
    settings.BOOTH_AWS_MAX_ATTEMPTS = 1


@pytest.fixture
def experience():
    return factories.make_experience(factories.make_event())


@pytest.fixture
def spec_file(tmp_path) -> Path:
    path = tmp_path / "past-life.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


def titan_reply(image: Image.Image) -> dict:
    png = photos.png_bytes(image, text=SECRET)
    payload = json.dumps({"images": [base64.b64encode(png).decode()], "error": None}).encode()
    return {
        "body": StreamingBody(io.BytesIO(payload), len(payload)),
        "contentType": "application/json",
    }


def titan_request(occupation: str, gender: str) -> dict:
    combination = {
        "country": "Korea",
        "era": "1590s",
        "occupation": occupation,
        "age": "35",
        "gender": gender,
    }
    body = {
        "taskType": "TEXT_IMAGE",
        "textToImageParams": {
            "text": f"A 35 year old {gender} {occupation} in Korea, 1590s, realistic portrait",
            "negativeText": "blurry",
        },
        "imageGenerationConfig": {
            "numberOfImages": 1,
            "height": 512,
            "width": 512,
            "cfgScale": 8.0,
            "seed": seed_for(7, combination_key(combination)),
            "quality": "premium",
        },
    }
    return {
        "modelId": TITAN,
        "body": json.dumps(body),
        "contentType": "application/json",
        "accept": "application/json",
    }


def story_request(occupation: str, gender: str, language: str = "en") -> dict:
    facts = f"country: Korea; era: 1590s; occupation: {occupation}; age: 35; gender: {gender}"
    turn = {
        "en": f"The past-life person — {facts}. The visitor's name: {{nickname}}.",
        "ko": f"전생의 인물 — {facts}. 방문자 이름: {{nickname}}.",
    }[language]
    return {
        "modelId": CLAUDE,
        "system": [{"text": f"{SYSTEM_PROMPTS[language]} {PLACEHOLDER_NOTE[language]}"}],
        "messages": [
            {
                "role": "user",
                "content": [{"text": turn}],
            }
        ],
        "inferenceConfig": {"maxTokens": 400, "temperature": 0.8},
    }


def story_reply(text: str) -> dict:
    return {
        "output": {"message": {"role": "assistant", "content": [{"text": text}]}},
        "stopReason": "end_turn",
        "usage": {"inputTokens": 80, "outputTokens": 60, "totalTokens": 140},
        "metrics": {"latencyMs": 900},
    }


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_generate_makes_pending_base_images_with_prompt_story_and_face(experience, spec_file):
    with (
        Stubber(aws.client("bedrock-runtime", read_timeout=120)) as images,
        Stubber(aws.client("bedrock-runtime", read_timeout=20, max_attempts=2)) as text,
    ):
        for occupation, gender in [
            ("scholar", "female"),
            ("scholar", "male"),
            ("painter", "female"),
        ]:
            images.add_response(
                "invoke_model", titan_reply(photos.face_image()), titan_request(occupation, gender)
            )
            text.add_response(
                "converse",
                story_reply(f"In a past life, you were {{nickname}}, a {occupation} of Hanseong."),
                story_request(occupation, gender),
            )
            text.add_response(  # the same story in Korean, for Korean visitors
                "converse",
                story_reply(f"당신은 한성의 {occupation} {{nickname}}님이었습니다."),
                story_request(occupation, gender, "ko"),
            )
        # the last combination comes back without a face Booth can find
        images.add_response(
            "invoke_model", titan_reply(photos.no_face_image()), titan_request("painter", "male")
        )

        out, _ = run("generate_base_images", str(spec_file), "--rate", "100000")

        images.assert_no_pending_responses()
        text.assert_no_pending_responses()
    assert "3 generated (awaiting review), 1 without a face, 0 already there, 0 failed." in out
    made = list(BaseImage.objects.filter(experience=experience).order_by("pk"))
    assert len(made) == 4
    first = made[0]
    assert first.prompt == "A 35 year old female scholar in Korea, 1590s, realistic portrait"
    assert (first.title, first.country, first.era, first.occupation) == (
        "scholar, Korea, 1590s",
        "Korea",
        "1590s",
        "scholar",
    )
    assert (first.gender, first.age_band) == ("female", "adult")
    assert first.story == "In a past life, you were {nickname}, a scholar of Hanseong."
    assert first.story_ko == "당신은 한성의 scholar {nickname}님이었습니다."
    assert first.generator == TITAN
    assert not first.approved and first.rejection_reason == ""
    assert first in BaseImage.objects.awaiting_review()
    with first.image.open("rb") as handle:
        stored = handle.read()
    assert SECRET.encode() not in stored
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    x, y, w, h = first.face_box
    assert 150 < x + w / 2 < 280 and 40 < y + h / 2 < 200  # the astronaut's face
    faceless = made[3]
    assert faceless.rejection_reason == BaseImage.RejectionReason.NO_FACE
    assert faceless.face_box == [] and faceless.story == ""
    assert "no face found, stored as rejected: painter, Korea, 1590s" in out
    assert BaseImage.objects.filter(pk=faceless.pk).approve(by=None) == 0


def test_generate_resumes_where_it_stopped_and_skips_what_exists(experience, spec_file):
    with (
        Stubber(aws.client("bedrock-runtime", read_timeout=120)) as images,
        Stubber(aws.client("bedrock-runtime", read_timeout=20, max_attempts=2)) as text,
    ):
        images.add_response(
            "invoke_model", titan_reply(photos.face_image()), titan_request("scholar", "female")
        )
        text.add_response("converse", story_reply("In a past life, you were {nickname}."))
        text.add_response("converse", story_reply("당신은 {nickname}님이었습니다."))
        images.add_client_error("invoke_model", "ThrottlingException", "Too many requests", 429)

        with pytest.raises(CommandError, match="1 combinations failed; run the command again"):
            run("generate_base_images", str(spec_file), "--limit", "2", "--rate", "100000")

    assert BaseImage.objects.count() == 1

    with (
        Stubber(aws.client("bedrock-runtime", read_timeout=120)) as images,
        Stubber(aws.client("bedrock-runtime", read_timeout=20, max_attempts=2)) as text,
    ):
        for occupation, gender in [("scholar", "male"), ("painter", "female"), ("painter", "male")]:
            images.add_response(
                "invoke_model", titan_reply(photos.face_image()), titan_request(occupation, gender)
            )
            text.add_response("converse", story_reply("In a past life, you were {nickname}."))
            text.add_response("converse", story_reply("당신은 {nickname}님이었습니다."))

        out, _ = run("generate_base_images", str(spec_file), "--rate", "100000")

        images.assert_no_pending_responses()
    assert "3 generated (awaiting review), 0 without a face, 1 already there, 0 failed." in out

    with Stubber(aws.client("bedrock-runtime", read_timeout=120)):  # any call would fail
        out, _ = run("generate_base_images", str(spec_file))
    assert "0 generated (awaiting review), 0 without a face, 4 already there, 0 failed." in out
    assert BaseImage.objects.count() == 4


def test_a_json_spec_with_sdxl_works_the_same(experience, tmp_path, settings):
    settings.BOOTH_BEDROCK_SD_IMAGE_MODEL = "stability.stable-diffusion-xl-v1"
    spec = {
        "experience": str(experience.pk),
        "prompt": "A {occupation} in {country}, oil painting",
        "attributes": {"country": ["Italy"], "occupation": ["poet"]},
        "model": "sdxl",
        "width": 1024,  # SDXL's table has no 512x512
        "height": 1024,
        "story_language": "ko",
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    png = base64.b64encode(photos.png_bytes(photos.face_image())).decode()
    payload = json.dumps({"artifacts": [{"base64": png, "finishReason": "SUCCESS", "seed": 1}]})
    with (
        Stubber(aws.client("bedrock-runtime", read_timeout=120)) as images,
        Stubber(aws.client("bedrock-runtime", read_timeout=20, max_attempts=2)) as text,
    ):
        images.add_response(
            "invoke_model",
            {
                "body": StreamingBody(io.BytesIO(payload.encode()), len(payload.encode())),
                "contentType": "application/json",
            },
        )
        text.add_response("converse", story_reply("당신은 이탈리아의 시인 {nickname}였습니다."))
        text.add_response("converse", story_reply("In a past life, {nickname} was a poet."))

        out, _ = run("generate_base_images", str(path), "--rate", "100000")

    assert "1 generated (awaiting review)" in out
    base = BaseImage.objects.get()
    assert base.generator == "stability.stable-diffusion-xl-v1"
    assert base.prompt == "A poet in Italy, oil painting"
    assert base.story_ko.startswith("당신은")  # the spec's language is written first
    assert base.story == "In a past life, {nickname} was a poet."
    assert base.title == "poet, Italy"


def test_a_failed_generation_is_reported_with_its_attributes(experience, spec_file):
    with Stubber(aws.client("bedrock-runtime", read_timeout=120)) as images:
        images.add_client_error(
            "invoke_model",
            "ValidationException",
            "This request has been blocked by our content filters.",
            400,
        )
        with pytest.raises(CommandError):
            run("generate_base_images", str(spec_file), "--limit", "1", "--rate", "100000")
    assert not BaseImage.objects.exists()


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            "experience: Nowhere\nprompt: x\nattributes: {country: [Korea]}\n",
            "No experience 'Nowhere'",
        ),
        ("experience: Past life\nprompt: 'A {job}'\nattributes: {country: [Korea]}\n", "'job'"),
        (
            "experience: Past life\nprompt: x\nattributes: {planet: [Mars]}\n",
            "Unknown attributes planet",
        ),
        ("experience: Past life\nprompt: x\nattributes: {gender: [robot]}\n", "Gender 'robot'"),
        (
            "experience: Past life\nprompt: x\nmodel: dall-e\nattributes: {era: [1590s]}\n",
            "Unknown image model",
        ),
        ("experience: [unclosed\n", "not valid YAML"),
    ],
)
def test_a_bad_spec_is_refused_with_what_to_fix(experience, tmp_path, spec, message):
    path = tmp_path / "spec.yaml"
    path.write_text(spec)
    with pytest.raises(CommandError, match=message):
        run("generate_base_images", str(path))


def test_the_pacer_spaces_calls_to_the_rate_without_real_sleeping():
    now = [100.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    pacer = Pacer(60, clock=lambda: now[0], sleep=sleep)
    pacer.wait()  # the first call goes at once
    now[0] += 0.25  # the call took a quarter second
    pacer.wait()
    now[0] += 3  # a slow call: no need to wait after it
    pacer.wait()
    assert slept == [0.75]


# --- import / export ------------------------------------------------------------------


def write_csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(
            handle,
            fieldnames=[
                "file",
                "title",
                "country",
                "era",
                "occupation",
                "gender",
                "age_band",
                "story",
                "story_ko",
                "face_box",
            ],
        )
        writer.writeheader()
        for row in rows:
            writer.writerow(row)


def row(file: str, **fields) -> dict:
    return {
        "file": file,
        "title": "Sailor",
        "country": "Portugal",
        "era": "1500s",
        "occupation": "sailor",
        "gender": "female",
        "age_band": "adult",
        "story": "{nickname} sailed to Goa.",
        "story_ko": "{nickname}님은 고아까지 항해했습니다.",
        **fields,
    }


@pytest.fixture
def import_folder(tmp_path) -> Path:
    folder = tmp_path / "incoming"
    folder.mkdir()
    (folder / "astronaut.jpg").write_bytes(photos.face_jpeg(gps=True))
    (folder / "copy.jpg").write_bytes(photos.face_jpeg(gps=True))
    (folder / "portrait.png").write_bytes(photos.png_bytes(photos.face_image(portrait=True)))
    (folder / "cup.jpg").write_bytes(photos.no_face_jpeg())
    (folder / "broken.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    (folder / "tiny.jpg").write_bytes(photos.jpeg_bytes(photos.face_image().resize((100, 100))))
    return folder


def test_import_takes_the_good_rows_and_reports_each_bad_one(experience, import_folder):
    write_csv(
        import_folder / "manifest.csv",
        [
            row("astronaut.jpg", title="Astronaut sailor"),
            row("portrait.png", face_box="100,20,120,150", gender="male", age_band="senior"),
            row("broken.jpg"),
            row("missing.jpg"),
            row("astronaut.jpg", gender="robot"),
            row("copy.jpg"),
            row("cup.jpg"),
            row("astronaut.jpg", story="  "),
            row("tiny.jpg"),
            row("../outside.jpg"),
            row("portrait.png", face_box="400,0,100,100"),
        ],
    )

    with pytest.raises(CommandError, match="9 rows were not imported"):
        run(
            "import_base_images",
            str(import_folder),
            "--manifest",
            str(import_folder / "manifest.csv"),
            "--experience",
            "Past life",
        )

    imported = list(BaseImage.objects.filter(experience=experience).order_by("pk"))
    assert [b.title for b in imported] == ["Astronaut sailor", "Sailor"]
    assert all(not b.approved and b.rejection_reason == "" for b in imported)
    assert imported[1].face_box == [100, 20, 120, 150]
    assert (imported[1].gender, imported[1].age_band) == ("male", "senior")
    assert imported[0].story_ko == "{nickname}님은 고아까지 항해했습니다."
    with imported[0].image.open("rb") as handle:
        assert photos.gps_of(handle.read()) == {}


def test_import_reports_row_numbers_and_reasons(experience, import_folder):
    write_csv(
        import_folder / "manifest.csv",
        [
            row("astronaut.jpg"),
            row("broken.jpg"),
            row("missing.jpg"),
            row("astronaut.jpg", gender="robot"),
            row("copy.jpg"),
            row("cup.jpg"),
            row("astronaut.jpg", story=""),
            row("tiny.jpg"),
        ],
    )
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_base_images",
            str(import_folder),
            "--manifest",
            str(import_folder / "manifest.csv"),
            "--experience",
            str(experience.pk),
            stdout=io.StringIO(),
            stderr=err,
        )
    lines = err.getvalue().splitlines()
    assert lines[0] == "row 2: broken.jpg: This file is not a JPEG, PNG or WebP photo."
    assert lines[1].startswith("row 3: missing.jpg: no such file in")
    assert lines[2] == "row 4: astronaut.jpg: Gender 'robot' is not one of female, male or empty."
    assert lines[3] == "row 5: the same image as row 1"
    assert lines[4] == (
        "row 6: cup.jpg: No face found: use a portrait with a clear face, "
        "or give a face_box column to mark one"
    )
    assert lines[5] == "row 7: astronaut.jpg: no story"
    assert lines[6].startswith("row 8: tiny.jpg: The photo is 100×100 pixels; at least 256")


def test_import_is_idempotent_and_can_approve(experience, import_folder):
    write_csv(import_folder / "manifest.csv", [row("astronaut.jpg"), row("portrait.png")])
    args = [
        "import_base_images",
        str(import_folder),
        "--manifest",
        str(import_folder / "manifest.csv"),
        "--experience",
        "Past life",
        "--approve",
    ]

    out, _ = run(*args)
    assert "2 imported (approved), 0 already there, 0 bad rows." in out
    assert BaseImage.objects.approved().count() == 2

    out, _ = run(*args)
    assert "0 imported (approved), 2 already there, 0 bad rows." in out
    assert "row 1: already imported as #" in out
    assert BaseImage.objects.count() == 2


def test_export_then_import_moves_the_approved_library_to_another_event(experience, tmp_path):
    approved = factories.make_base_image(experience, "joseon-scholar", age_band="adult")
    factories.make_base_image(experience, "roman-poet")
    factories.make_base_image(experience, "viking-navigator", approved=False)
    folder = tmp_path / "export"

    out, _ = run("export_base_images", str(experience.pk), str(folder))

    assert "2 approved base images written" in out
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [image["title"] for image in manifest["images"]] == ["Joseon scholar", "Roman poet"]

    next_event = factories.make_experience(
        factories.make_event(slug="next", name="Next fair"), name="Past life 2"
    )
    out, _ = run("import_base_images", str(folder), "--experience", "Past life 2", "--approve")
    assert "2 imported (approved), 0 already there, 0 bad rows." in out
    moved = next_event.base_images.order_by("pk").first()
    for name in (
        "title",
        "country",
        "era",
        "occupation",
        "gender",
        "age_band",
        "story",
        "story_ko",
        "face_box",
    ):
        assert getattr(moved, name) == getattr(approved, name), name
    with moved.image.open("rb") as a, approved.image.open("rb") as b:
        assert (
            photos.mean_difference(Image.open(a).convert("RGB"), Image.open(b).convert("RGB")) < 2
        )

    # the exported files are recognised when imported back where they came from
    out, _ = run("import_base_images", str(folder), "--experience", str(experience.pk))
    assert "0 imported (awaiting review), 2 already there" in out

    with pytest.raises(CommandError, match=r"already holds a manifest\.json"):
        run("export_base_images", str(experience.pk), str(folder))
