"""The offline writer's letters: the reference's structure and lengths, for every type."""

import pytest

from experiences.resume.demo_companies import COMPANIES
from experiences.resume.letters import LetterRequest
from experiences.resume.offline import OfflineLetterWriter, compose, ends_in_consonant
from experiences.resume.sections import parse
from experiences.resume.traits import MBTI_CODES


@pytest.mark.parametrize("mbti", [*MBTI_CODES, ""])
def test_korean_letters_have_four_sections_of_700_to_1000_characters(mbti):
    for company in COMPANIES:
        name, _keywords, profile = company["ko"]
        letter = parse(compose(LetterRequest("민지", mbti, name, profile, "ko", [])))
        assert len(letter) == 4
        for section in letter:
            assert 700 <= len(section["text"]) <= 1000, (name, section["title"])
        assert name in letter[1]["text"] and "민지" in letter[0]["text"]
        assert "{" not in "".join(s["text"] for s in letter)  # every slot filled


@pytest.mark.parametrize("mbti", [*MBTI_CODES, ""])
def test_english_letters_have_four_sections_of_150_to_230_words(mbti):
    for company in COMPANIES:
        name, _keywords, profile = company["en"]
        letter = parse(compose(LetterRequest("Ada", mbti, name, profile, "en", ["care"])))
        assert len(letter) == 4
        for section in letter:
            assert 150 <= len(section["text"].split()) <= 230, (name, section["title"])
        assert name in letter[1]["text"] and "Ada" in letter[0]["text"]


def test_particles_follow_the_last_syllable():
    assert ends_in_consonant("분석") and not ends_in_consonant("리더")


def test_it_streams_in_small_chunks(settings):
    settings.BOOTH_LETTER_OFFLINE_CHUNK_SECONDS = 0
    name, _, profile = COMPANIES[0]["en"]
    request = LetterRequest("Ada", "INTP", name, profile, "en", [])
    chunks = list(OfflineLetterWriter().stream(request))
    assert len(chunks) > 100
    assert "".join(chunks) == compose(request)
