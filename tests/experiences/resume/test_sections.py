"""The section parser finds every marker however a stream's chunks split it."""

import pytest

from experiences.resume.sections import MARKER, SectionParser, marker_line, parse

LETTER = (
    "Sure, here is the letter.\n"
    + marker_line("Who I am")
    + "I am Ada, twenty-seven.\n"
    + marker_line("Why Lumen")
    + "Because < and << are not markers.\n"
    + marker_line("Strengths")
    + "Analysis.\n"
    + marker_line("First years")
    + "I will learn."
)
EXPECTED = [
    {"title": "Who I am", "text": "I am Ada, twenty-seven."},
    {"title": "Why Lumen", "text": "Because < and << are not markers."},
    {"title": "Strengths", "text": "Analysis."},
    {"title": "First years", "text": "I will learn."},
]


def streamed(pieces: list[str]) -> list[dict[str, str]]:
    parser = SectionParser()
    for piece in pieces:
        parser.feed(piece)
    parser.close()
    return [section.as_dict() for section in parser.sections]


def test_a_whole_letter_parses_into_its_four_sections_and_drops_the_preamble():
    assert parse(LETTER) == EXPECTED


@pytest.mark.parametrize("cut", range(1, len(MARKER) + 8))
def test_a_marker_split_at_any_position_is_still_a_marker(cut):
    start = LETTER.index(MARKER, 40)  # the second section's marker
    split_at = start + cut
    assert streamed([LETTER[:split_at], LETTER[split_at:]]) == EXPECTED


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 11, 13])
def test_chunks_of_any_size_give_the_same_sections(size):
    pieces = [LETTER[i : i + size] for i in range(0, len(LETTER), size)]
    assert streamed(pieces) == EXPECTED


def test_text_held_back_as_a_possible_marker_is_released_when_it_is_not_one():
    parser = SectionParser()
    parser.feed(marker_line("Title") + "a <<SEC")
    assert parser.sections[0].text == "a "  # "<<SEC" could still become a marker
    parser.feed("RET>> b")
    assert parser.sections[0].text == "a <<SECRET>> b"


def test_feed_reports_which_sections_changed():
    parser = SectionParser()
    assert parser.feed(marker_line("One") + "text") == {0}
    assert parser.feed(" more" + MARKER + "Two\nx") == {0, 1}
