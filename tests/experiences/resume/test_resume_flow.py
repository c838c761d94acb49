"""The résumé experience end to end without a browser: the tablet's API, the job writing
and pushing the letter, the result page, its PDF, and erasure."""

import asyncio
import io
import json
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync
from botocore.stub import Stubber
from channels.layers import get_channel_layer
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from experiences.models.events import Experience
from experiences.models.photo import Asset, Job
from experiences.models.resume import Company, CoverLetter
from experiences.models.tallies import Tally
from experiences.photo.backends.rekognition import detection_client
from experiences.photo.jobs import run_job
from experiences.resume.demo_companies import demo_rows
from experiences.resume.library import import_companies
from kernel import plugins
from moderation.services import erase_player, purge_expired
from tests import factories, photos

pytestmark = pytest.mark.django_db


@pytest.fixture
def resume_booth(settings):
    settings.BOOTH_LETTER_OFFLINE_CHUNK_SECONDS = 0.001
    # A handful of pushes: the test drains them after the job, within the layer's capacity.
    settings.BOOTH_LETTER_PUSH_SECONDS = 0.05
    import_companies(demo_rows())
    return factories.make_photo_booth(Experience.Pipeline.RESUME)


@pytest.fixture
def tablet(resume_booth) -> Client:
    client = Client()
    assert client.login(username=resume_booth.user.username, password=factories.DEVICE_PASSWORD)
    return client


def upload(client: Client, **fields):
    return client.post(
        "/api/stations/1/captures/",
        {
            "image": SimpleUploadedFile("p.jpg", photos.face_jpeg(), content_type="image/jpeg"),
            "nickname": "Ada",
            "consent_version": factories.CONSENT_VERSION,
            **fields,
        },
    )


def listen(group: str):
    """A channel in `group` of the real channel layer, and a function draining it."""
    layer = get_channel_layer()
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(group, channel)

    async def drain() -> list[dict]:
        messages = []
        while True:
            try:
                messages.append(await asyncio.wait_for(layer.receive(channel), 0.2))
            except TimeoutError:
                return messages

    return lambda: async_to_sync(drain)()


def pdf_text(reader: PdfReader) -> str:
    """The page's text. pypdf reads the two-byte codes of fpdf2's embedded CID font (its
    encoding is written as a CMap object, not the /Identity-H name) as two characters, the
    first a NUL: dropped here."""
    return reader.pages[0].extract_text().replace("\x00", "")


def test_the_tablet_gets_three_companies_for_a_type(tablet):
    response = tablet.get("/api/stations/1/companies/", {"mbti": "ISFJ", "language": "en"})
    assert response.status_code == 200
    companies = response.json()["companies"]
    assert len(companies) == 3
    assert companies[0]["name"] == "Harbor & Hearth Care"
    assert "care" in companies[0]["reason"]
    assert tablet.get("/api/stations/1/companies/", {"mbti": "XXXX"}).status_code == 400
    assert tablet.get("/api/stations/2/companies/").status_code == 403


def test_a_resume_capture_needs_a_company(tablet):
    response = upload(tablet, mbti="ENFJ")
    assert response.status_code == 400
    assert "company" in response.json()["fields"]
    assert Job.objects.count() == 0


def test_the_letter_is_written_pushed_as_it_grows_and_shown_with_a_pdf(resume_booth, tablet):
    company = Company.objects.get(name="Northwind Strategy Partners", language="en")
    response = upload(tablet, mbti="ENFJ", company=company.pk, language="en")
    assert response.status_code == 201
    job = Job.objects.get()
    station_pushes = listen(resume_booth.station.group_name)
    wall_pushes = listen(resume_booth.display.group_name)

    assert run_job(job.pk) == Job.State.SUCCEEDED

    letters = [m["payload"] for m in station_pushes() if m["payload"]["type"] == "letter"]
    assert len(letters) > 3, "the letter reaches the tablet in several pushes"
    assert not any(letter["done"] for letter in letters[:-1]) and letters[-1]["done"]
    assert [s["index"] for s in letters[-1]["sections"]] == [0, 1, 2, 3]

    on_wall = [json.loads(m["text"]) for m in wall_pushes()]
    wall_letters = [m for m in on_wall if m["type"] == "letter"]
    assert len(wall_letters) == len(letters)
    assert set(wall_letters[-1]) == {"type", "sections", "done", "nickname"}  # public: no job
    assert wall_letters[-1]["nickname"] == "Ada"

    letter = CoverLetter.objects.get()
    assert letter.writer == "offline" and len(letter.sections) == 4
    assert "Northwind Strategy Partners" in letter.sections[1]["text"]
    job.refresh_from_db()
    assert job.backends["letter"] == "offline"
    assert "Northwind Strategy Partners" in job.story

    token = job.portrait.token
    page = Client().get(f"/r/{token}/")
    assert "Cover letter to Northwind Strategy Partners" in page.content.decode()
    assert letter.sections[3]["text"][:60] in page.content.decode()
    pdf = Client().get(f"/r/{token}/resume.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(pdf.getvalue()))
    assert len(reader.pages) == 1
    text = pdf_text(reader)
    assert "Ada" in text and "Northwind Strategy Partners" in text
    assert set(reader.metadata or {}) <= {"/CreationDate"}  # the epoch: nothing of when
    assert Tally.objects.get(kind=Tally.Kind.RESUME_PDF).count == 1
    assert Tally.objects.get(kind=Tally.Kind.LETTER).count == 1

    stored = Asset.objects.get(kind=Asset.Kind.RESUME_PDF).file.path
    erase_player(job.capture.player)
    assert CoverLetter.objects.count() == 0
    assert not Path(stored).exists()
    assert Client().get(f"/r/{token}/resume.pdf").status_code == 410


def test_a_korean_visitor_gets_a_korean_letter_and_pdf(resume_booth, tablet):
    company = Company.objects.get(name="브라이트패스러닝")
    upload(tablet, mbti="INFJ", company=company.pk, language="ko", nickname="민지")
    job = Job.objects.get()
    run_job(job.pk)
    letter = CoverLetter.objects.get()
    assert [s["title"] for s in letter.sections] == [
        "성장 과정",
        "지원 동기",
        "성격의 장단점",
        "입사 후 포부",
    ]
    token = Asset.objects.get(kind=Asset.Kind.PORTRAIT).token
    text = pdf_text(PdfReader(io.BytesIO(Client().get(f"/r/{token}/resume.pdf").getvalue())))
    assert "브라이트패스러닝" in text


def test_retention_purges_the_letter(resume_booth, tablet):
    company = Company.objects.filter(language="en").first()
    upload(tablet, company=company.pk)
    run_job(Job.objects.get().pk)
    purge_expired(now=timezone.now() + resume_booth.experience.retention)
    assert CoverLetter.objects.count() == 0


def test_rekognition_age_range_reaches_the_waiting_screen_and_is_not_stored(
    resume_booth, tablet, settings
):
    settings.BOOTH_FACE_DETECTOR = "rekognition"
    plugins.reset()
    company = Company.objects.filter(language="en").first()
    with Stubber(detection_client()) as stub:
        stub.add_response(
            "detect_faces",
            {
                "FaceDetails": [
                    {
                        "BoundingBox": {"Width": 0.4, "Height": 0.5, "Left": 0.3, "Top": 0.2},
                        "Confidence": 99.9,
                        "AgeRange": {"Low": 24, "High": 31},
                    }
                ]
            },
        )
        response = upload(tablet, company=company.pk)
    plugins.reset()
    assert response.status_code == 201, response.content
    assert response.json()["age_range"] == [24, 31]
    job = Job.objects.get()
    stored = json.dumps([job.timings, job.backends, job.capture.face_landmarks])
    assert "31" not in stored.replace(str(job.pk), "")


def test_the_event_report_counts_letters_and_pdfs(resume_booth, tablet, admin_client):
    company = Company.objects.filter(language="en").first()
    upload(tablet, company=company.pk)
    job = Job.objects.get()
    run_job(job.pk)
    job.refresh_from_db()
    Client().get(f"/r/{job.portrait.token}/resume.pdf")
    page = admin_client.get("/staff/report/", {"event": resume_booth.event.pk}).content.decode()
    assert 'data-figure="letters">1<' in page
    assert 'data-figure="resume_pdfs">1<' in page
    csv = admin_client.get("/staff/report.csv", {"event": resume_booth.event.pk}).content.decode()
    assert "letter" in csv.splitlines()[0] and "resume_pdf" in csv.splitlines()[0]


def test_a_premoderated_letter_goes_to_the_tablet_but_not_the_wall(resume_booth, tablet):
    resume_booth.experience.moderation = Experience.Moderation.PRE
    resume_booth.experience.save()
    company = Company.objects.filter(language="en").first()
    upload(tablet, company=company.pk)
    station_pushes = listen(resume_booth.station.group_name)
    wall_pushes = listen(resume_booth.display.group_name)
    run_job(Job.objects.get().pk)
    assert any(m["payload"]["type"] == "letter" for m in station_pushes())
    assert not [m for m in wall_pushes() if json.loads(m["text"])["type"] == "letter"]
