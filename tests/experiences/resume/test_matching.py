"""Matching MBTI traits to the company library with the database's own full-text search
(SQLite FTS5 in the first CI pass, PostgreSQL tsvector in the second)."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from experiences.models.events import Experience
from experiences.models.resume import Company
from experiences.resume.demo_companies import demo_rows
from experiences.resume.library import ImportRejected, import_companies, read_rows
from experiences.resume.matching import best_companies

pytestmark = pytest.mark.django_db


@pytest.fixture
def library():
    import_companies(demo_rows())


def names(matches):
    return [match.company.name for match in matches]


def test_the_database_search_engine_is_the_one_described(library):
    assert connection.vendor in ("sqlite", "postgresql")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM experiences_company_fts")
            assert cursor.fetchone()[0] == Company.objects.count() == 24


def test_a_caring_type_gets_caring_companies_with_the_traits_as_reason(library):
    matches = best_companies("ISFJ", "en")
    assert len(matches) == 3
    assert names(matches)[0] == "Harbor & Hearth Care"  # care, responsibility, precision…
    assert "care" in matches[0].matched
    assert "ISFJ" in matches[0].reason and "care" in matches[0].reason


def test_an_analytical_type_gets_analytical_companies(library):
    top = names(best_companies("INTP", "en"))
    assert "Lumen Robotics" in top[:2]
    assert "Harbor & Hearth Care" not in top


def test_korean_visitors_get_korean_companies_matched_on_korean_words(library):
    matches = best_companies("ENFJ", "ko")
    assert all(match.company.language == "ko" for match in matches)
    assert names(matches)[0] in ("브라이트패스러닝", "노스윈드전략컨설팅")
    assert "리더십" in matches[0].matched or "멘토링" in matches[0].matched
    assert "ENFJ" in matches[0].reason


def test_skipping_the_question_still_offers_three(library):
    matches = best_companies("", "en")
    assert len(matches) == 3
    assert all(match.reason for match in matches)


def test_the_index_follows_edits_and_deactivation(library):
    lumen = Company.objects.get(name="Lumen Robotics", language="en")
    assert "Lumen Robotics" in names(best_companies("INTP", "en"))
    lumen.is_active = False
    lumen.save()
    assert "Lumen Robotics" not in names(best_companies("INTP", "en"))
    care = Company.objects.get(name="Harbor & Hearth Care", language="en")
    assert "Harbor & Hearth Care" not in names(best_companies("INTP", "en"))
    care.keywords = "analysis logic curiosity creativity initiative"
    care.profile = "We hire people who love analysis and logic."
    care.save()
    assert names(best_companies("INTP", "en"))[0] == "Harbor & Hearth Care"
    care.delete()
    assert "Harbor & Hearth Care" not in names(best_companies("INTP", "en"))


def test_a_small_library_fills_up_from_other_languages():
    import_companies([{"name": "Solo", "profile": "We hire teamwork.", "language": "ko"}])
    import_companies(
        [
            {"name": "A", "profile": "We hire curiosity.", "language": "en"},
            {"name": "B", "profile": "Anyone.", "language": "en"},
        ]
    )
    assert sorted(names(best_companies("", "ko"))) == ["A", "B", "Solo"]


def test_imports_from_csv_and_json_update_by_name_and_language():
    csv_rows = read_rows(
        b"name,profile,keywords,language\nAcme,We hire logic.,logic,en\n", "companies.csv"
    )
    assert import_companies(csv_rows).created == 1
    json_rows = read_rows(
        b'[{"name": "Acme", "profile": "We hire analysis.", "keywords": ["analysis"]}]', "c.json"
    )
    result = import_companies(json_rows)
    assert (result.created, result.updated) == (0, 1)
    assert Company.objects.get().keywords == "analysis"


def test_a_bad_row_imports_nothing_and_names_the_row():
    with pytest.raises(ImportRejected, match="Row 2"):
        import_companies([{"name": "Good", "profile": "Fine."}, {"name": "", "profile": "x"}])
    assert Company.objects.count() == 0
    with pytest.raises(ImportRejected, match="language"):
        import_companies([{"name": "X", "profile": "Y", "language": "fr"}])


def test_the_import_command_reads_a_file_and_the_demo(tmp_path):
    source = tmp_path / "companies.json"
    source.write_text(
        '[{"name": "Acme", "profile": "We hire logic.", "keywords": "logic", "language": "en"}]'
    )
    out = io.StringIO()
    call_command("import_companies", str(source), stdout=out)
    assert "1 companies added" in out.getvalue()
    call_command("import_companies", "--demo", stdout=out)
    assert Company.objects.count() == 25
    bad = tmp_path / "companies.txt"
    bad.write_text("x")
    with pytest.raises(CommandError, match=r"\.csv or a \.json"):
        call_command("import_companies", str(bad))


def test_the_demo_offers_the_resume_experience_and_its_companies(demo):
    assert Experience.objects.filter(pipeline=Experience.Pipeline.RESUME).exists()
    assert Company.objects.filter(language="ko").count() == 12
    assert Company.objects.filter(language="en").count() == 12
