"""The letter's section markers, and a parser that finds them however the text is chunked.

A streamed letter arrives in pieces of any size: Bedrock's contentBlockDelta chunks end
wherever the model's tokens end, and the reference booth's write-up warns that they split
its section markers (a "## 지원 동기" whose "##" came in one chunk and the title in the
next was shown as text). So each section starts with a line

    <<SECTION>>Title

(a marker no letter contains, in ASCII, so no tokenizer spells it in an unusual way), and
the parser holds back any tail of the text so far that could still become a marker, and a
title until its line ends. Text before the first marker (a model's "Here is your letter")
is dropped.
"""

from dataclasses import dataclass, field

MARKER = "<<SECTION>>"


def marker_line(title: str) -> str:
    """How a section starts in the raw text (writers and prompts use this)."""
    return f"{MARKER}{title}\n"


@dataclass
class Section:
    title: str
    text: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"title": self.title.strip(), "text": self.text.strip()}


@dataclass
class SectionParser:
    """Feed raw chunks; read `sections` (complete so far) and `changed` (indexes touched by
    the last feed)."""

    sections: list[Section] = field(default_factory=list)
    _pending: str = ""
    _in_title: bool = False

    def feed(self, chunk: str) -> set[int]:
        """Add a chunk; return the indexes of the sections it changed."""
        self._pending += chunk.replace("\r\n", "\n")
        changed: set[int] = set()
        while self._pending:
            if self._in_title:
                end = self._pending.find("\n")
                if end < 0:
                    break  # the title's line goes on in the next chunk
                self.sections[-1].title += self._pending[:end]
                self._pending = self._pending[end + 1 :]
                self._in_title = False
                changed.add(len(self.sections) - 1)
                continue
            start = self._pending.find(MARKER)
            if start >= 0:
                self._add_text(self._pending[:start], changed)
                self._pending = self._pending[start + len(MARKER) :]
                self.sections.append(Section(title=""))
                self._in_title = True
                changed.add(len(self.sections) - 1)
                continue
            keep = _partial_marker_length(self._pending)
            self._add_text(self._pending[: len(self._pending) - keep], changed)
            self._pending = self._pending[len(self._pending) - keep :]
            break
        return changed

    def close(self) -> set[int]:
        """The stream ended: what was held back is text (or the last title)."""
        changed: set[int] = set()
        if self._in_title and self.sections:
            self.sections[-1].title += self._pending
            changed.add(len(self.sections) - 1)
        else:
            self._add_text(self._pending, changed)
        self._pending, self._in_title = "", False
        return changed

    def _add_text(self, text: str, changed: set[int]) -> None:
        if text and self.sections:  # before the first marker: preamble, dropped
            self.sections[-1].text += text
            changed.add(len(self.sections) - 1)


def _partial_marker_length(text: str) -> int:
    """The length of the longest end of `text` that is a start of MARKER."""
    for length in range(min(len(MARKER) - 1, len(text)), 0, -1):
        if MARKER.startswith(text[-length:]):
            return length
    return 0


def parse(text: str) -> list[dict[str, str]]:
    """A whole letter's sections (for tests and stored raw text)."""
    parser = SectionParser()
    parser.feed(text)
    parser.close()
    return [section.as_dict() for section in parser.sections]
