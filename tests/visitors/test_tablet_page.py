"""The tablet page: device accounts only, in the visitor's language, with the consent text."""

from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import CONSENT_VERSION


def test_anonymous_visitor_is_sent_to_log_in(booth, client):
    response = client.get(reverse("tablet"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_device_sees_its_station_consent_and_display(booth, device_client):
    page = device_client.get(reverse("tablet")).content.decode()
    assert "Station 1" in page
    assert "Watch display 1!" in page
    assert "[en] Your photo is kept for 48 hours." in page  # retention filled in
    assert f"Consent text version {CONSENT_VERSION}" in page
    assert f'"consentVersion": "{CONSENT_VERSION}"' in page


def test_korean_visitor_gets_korean_screens_and_consent(booth, device_client):
    page = device_client.get(reverse("tablet"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()
    assert "눌러서 시작하기" in page  # "Tap to start"
    assert "동의합니다" in page  # "I agree"
    assert "[ko] Your photo is kept for 48 hours." in page
    assert '"language": "ko"' in page


def test_kiosk_controls_and_the_signed_out_screen_speak_both_languages(booth, device_client):
    english = device_client.get(reverse("tablet")).content.decode()
    korean = device_client.get(reverse("tablet"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    for page in (english, korean):
        assert 'id="full-screen"' in page and 'data-screen="signed-out"' in page
        assert 'href="/accounts/login/?next=/tablet/"' in page  # back here once signed in
    assert "Full screen" in english and "This tablet was signed out" in english
    assert "전체 화면" in korean  # "Full screen"
    assert "이 태블릿은 로그아웃되었습니다" in korean  # "This tablet was signed out"
    assert "스태프: 다시 로그인" in korean  # "Staff: sign in again"
    assert "This tablet was signed out" not in korean


def test_staff_account_without_station_is_told_what_to_do(booth, db):
    staff = get_user_model().objects.create_user("staff-member", is_staff=True)
    client = Client()
    client.force_login(staff)
    response = client.get(reverse("tablet"))
    assert response.status_code == 403
    assert "not linked to a station" in response.content.decode()


def test_no_consent_text_means_no_way_to_take_a_photo(booth, device_client):
    booth.experience.consent_texts.all().delete()
    page = device_client.get(reverse("tablet")).content.decode()
    assert "No consent text is set up" in page
    assert 'data-action="accept"' not in page


def test_premoderated_experience_tells_the_visitor_staff_review_first(booth, device_client):
    booth.experience.moderation = "pre"
    booth.experience.save()

    english = device_client.get(reverse("tablet")).content.decode()
    korean = device_client.get(reverse("tablet"), HTTP_ACCEPT_LANGUAGE="ko").content.decode()

    assert "It will appear on display 1 after our staff have reviewed it." in english
    assert "Watch display 1!" not in english
    assert "스태프" in korean  # "staff"
