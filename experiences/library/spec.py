"""Generation specs: the YAML/JSON a person writes to describe a library to generate."""

import hashlib
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from experiences.library.bedrock_images import DEFAULT_SIZE, check_size, generator_for
from experiences.library.common import ATTRIBUTES, LibraryError, age_band, gender_value


@dataclass
class GenerationSpec:
    experience: str
    prompt: str
    attributes: dict[str, list[str]]
    model: str = "titan"
    negative_prompt: str = ""
    seed: int = 0
    width: int = DEFAULT_SIZE[0]  # every model family accepts the default size
    height: int = DEFAULT_SIZE[1]
    title: str = "{occupation}, {country}, {era}"
    story_model: str = ""
    story_language: str = "en"

    @classmethod
    def load(cls, path: Path) -> "GenerationSpec":
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise LibraryError(f"Cannot read the spec {path}: {exc.strerror}.") from exc
        try:
            data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
        except (json.JSONDecodeError, yaml.YAMLError) as exc:
            raise LibraryError(
                f"The spec {path} is not valid {path.suffix[1:].upper()}: {exc}"
            ) from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data) -> "GenerationSpec":
        if not isinstance(data, dict):
            raise LibraryError("The spec must be a mapping with experience, prompt and attributes.")
        missing = [key for key in ("experience", "prompt", "attributes") if not data.get(key)]
        if missing:
            raise LibraryError(f"The spec is missing: {', '.join(missing)}.")
        size = data.pop("size", None)
        if size:
            data["width"], data["height"] = (int(v) for v in str(size).lower().split("x"))
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise LibraryError(f"Unknown spec keys: {', '.join(sorted(unknown))}.")
        spec = cls(**{**data, "experience": str(data["experience"])})
        spec.validate()
        return spec

    def validate(self) -> None:
        attributes = self.attributes
        if not isinstance(attributes, dict) or not all(
            isinstance(v, list) and v for v in attributes.values()
        ):
            raise LibraryError("attributes must map each name to a non-empty list of values.")
        unknown = set(attributes) - set(ATTRIBUTES)
        if unknown:
            raise LibraryError(
                f"Unknown attributes {', '.join(sorted(unknown))}; use {', '.join(ATTRIBUTES)}."
            )
        for value in attributes.get("age", []):
            age_band(value)
        for value in attributes.get("gender", []):
            gender_value(value)
        try:
            self.prompt.format(**{name: "x" for name in attributes})
            self.title.format_map(_Blank({name: "x" for name in attributes}))
        except (KeyError, IndexError, ValueError) as exc:
            raise LibraryError(
                f"The prompt uses {exc} which is not one of the spec's attributes."
            ) from exc
        try:
            generator = generator_for(self.model)
        except ValueError as exc:
            raise LibraryError(str(exc)) from exc
        if not (64 <= self.width <= 2048 and 64 <= self.height <= 2048):
            raise LibraryError("width and height must be between 64 and 2048 pixels.")
        try:  # the model's own table: a size it refuses would fail every image of the run
            check_size(generator.model_id, self.width, self.height)
        except ValueError as exc:
            raise LibraryError(f"size {self.width}x{self.height}: {exc}") from exc

    def combinations(self) -> Iterator[dict[str, str]]:
        names = list(self.attributes)
        for values in itertools.product(*(self.attributes[n] for n in names)):
            yield {name: str(value) for name, value in zip(names, values, strict=True)}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def combination_key(combination: dict[str, str]) -> str:
    """Stable across runs and spec edits that keep the attributes: what resume compares."""
    canonical = json.dumps(sorted(combination.items()), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def seed_for(spec_seed: int, key: str) -> int:
    """One seed per combination, so a re-run of the same spec draws the same images.
    Titan takes seeds up to 2 147 483 646."""
    return (spec_seed + int(key[:8], 16)) % 2_147_483_647
