"""The three companies of the library that best fit a visitor's MBTI type, each with a
one-line reason (the traits it matched).

Matching uses the database's own full-text search, so the embedded booth needs no search
server and the scaled one no second copy of the library:

- SQLite: an FTS5 table over name, keywords and profile, kept in step by triggers
  (migration 0013_resume), ranked by bm25 with the keywords weighing most. The
  `porter unicode61` tokenizer stems English ("analytical" finds "analysis"); Korean is
  split at spaces, so a profile's "협업을" is not the word "협업": that is why companies
  carry bare trait words in `keywords`, and why keywords weigh most.
- PostgreSQL: a weighted tsvector (keywords A, name B, profile C) under the 'simple'
  configuration (PostgreSQL has no Korean dictionary, and one configuration for both
  languages keeps ranks comparable), with a GIN index on that very expression; ranked by
  ts_rank.
- Anything else: a plain count of trait words found (LIKE), correct but unindexed.

Why not a vector search or an LLM ranking: the library is a few dozen hand-written profiles
and the traits are words the library is written with; full-text search is instant,
explainable (the reason names the words that matched) and works offline.

The visitor's language chooses the library (Korean companies for a Korean page); when it
holds fewer than three matches, the best of the rest fill in, so three are always offered
while the library has three.
"""

from dataclasses import dataclass

from django.db import connection
from django.utils import translation
from django.utils.translation import gettext as _

from experiences.models.resume import Company
from experiences.resume.traits import profile_of, trait_words

OFFERED = 3
# SQLite bm25 weights per FTS5 column (name, keywords, profile).
FTS5_WEIGHTS = (2.0, 5.0, 1.0)
# The same expression as the GIN index of migration 0013_resume.
POSTGRES_DOCUMENT = (
    "setweight(to_tsvector('simple', coalesce(keywords, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(name, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(profile, '')), 'C')"
)

# Built from the constants above only; the words and language go in as parameters.
SQLITE_QUERY = (
    "SELECT c.id FROM experiences_company_fts f "  # noqa: S608
    "JOIN experiences_company c ON c.id = f.rowid "
    "WHERE experiences_company_fts MATCH %s AND c.is_active AND c.language = %s "
    f"ORDER BY bm25(experiences_company_fts, {', '.join(map(str, FTS5_WEIGHTS))}), c.name"
)
POSTGRES_QUERY = (
    "SELECT id FROM experiences_company, to_tsquery('simple', %s) query "  # noqa: S608
    f"WHERE ({POSTGRES_DOCUMENT}) @@ query AND is_active AND language = %s "
    f"ORDER BY ts_rank({POSTGRES_DOCUMENT}, query) DESC, name"
)


@dataclass
class Match:
    company: Company
    matched: list[str]  # the trait words found in the company's keywords or profile
    reason: str


def _quoted(words: list[str]) -> list[str]:
    return ['"' + word.replace('"', "") + '"' for word in words]


def _ranked_ids(words: list[str], language: str) -> list[int]:
    """Active companies in `language` that contain any of `words`, best first."""
    if not words:
        return []
    vendor = connection.vendor
    with connection.cursor() as cursor:
        if vendor == "sqlite":
            cursor.execute(SQLITE_QUERY, [" OR ".join(_quoted(words)), language])
        elif vendor == "postgresql":
            cursor.execute(POSTGRES_QUERY, [" | ".join(_ts_terms(words)), language])
        else:
            return _ranked_by_counting(words, language)
        return [row[0] for row in cursor.fetchall()]


def _ts_terms(words: list[str]) -> list[str]:
    """Words as tsquery terms (quoted, so no word is read as an operator)."""
    return ["'" + word.replace("'", "").replace("\\", "") + "'" for word in words]


def _ranked_by_counting(words: list[str], language: str) -> list[int]:
    scored = []
    for company in Company.objects.filter(is_active=True, language=language):
        hits = len(found_words(company, words))
        if hits:
            scored.append((-hits, company.name, company.pk))
    return [pk for *_, pk in sorted(scored)]


def found_words(company: Company, words: list[str]) -> list[str]:
    """The words that occur in the company's keywords or profile (case-insensitive, inside
    longer Korean words too: "협업을" shows "협업")."""
    text = f"{company.keywords} {company.profile}".casefold()
    return [word for word in words if word.casefold() in text]


def best_companies(mbti: str, language: str) -> list[Match]:
    """Up to three companies for this type, best first, each with its reason."""
    words = trait_words(mbti, language)
    ids = _ranked_ids(words, language)
    companies = Company.objects.in_bulk(ids)
    chosen = [companies[pk] for pk in ids if pk in companies][:OFFERED]
    if len(chosen) < OFFERED:  # fill from the same language, then any
        rest = Company.objects.filter(is_active=True).exclude(pk__in=[c.pk for c in chosen])
        for pool in (rest.filter(language=language), rest.exclude(language=language)):
            chosen += list(pool.order_by("name")[: OFFERED - len(chosen)])
    return [_match(company, words, mbti, language) for company in chosen]


def _match(company: Company, words: list[str], mbti: str, language: str) -> Match:
    matched = found_words(company, words)
    with translation.override(language):
        if matched and mbti:
            reason = _("Looks for your %(type)s strengths: %(traits)s") % {
                "type": profile_of(mbti).code,
                "traits": ", ".join(matched[:3]),
            }
        elif matched:
            reason = _("Looks for %(traits)s") % {"traits": ", ".join(matched[:3])}
        else:
            reason = _("Welcomes every type: a good place to start")
    return Match(company=company, matched=matched, reason=reason)
