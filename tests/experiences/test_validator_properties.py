"""Property-based tests (Hypothesis) for the validators that face untrusted input.

Whatever the bytes, numbers or JSON, a validator either accepts the input or raises its
declared rejection (ImageRejected, ClipRejected, a serializer error): never anything else,
which the API would turn into a 500.
"""

import io
import json
import math

import hypothesis.strategies as st
import pytest
from hypothesis import HealthCheck, example, given, settings
from PIL import Image

from experiences.photo.imaging import ImageRejected, load_upload
from experiences.sports.api import ShotSerializer
from experiences.sports.video import ClipInfo, ClipRejected, _rate, parse_probe
from tests import photos

# The machine runs other tests too: no per-example deadline, a bounded number of examples.
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

LIMITS = {"max_bytes": 200_000, "max_pixels": 1_000_000, "min_side": 8}
MAGIC = [
    b"",
    b"\xff\xd8\xff\xe0",  # JPEG
    b"\x89PNG\r\n\x1a\n",  # PNG
    b"RIFF\x00\x00\x00\x00WEBPVP8 ",  # WebP
    b"GIF89a",
    b"\x00\x00\x00\x18ftypheic",
]


def load(data: bytes):
    return load_upload(data, **LIMITS)


def assert_plain_rgb(image) -> None:
    assert image.mode == "RGB"
    assert min(image.size) >= LIMITS["min_side"]
    assert image.width * image.height <= LIMITS["max_pixels"]
    assert not image.info


@PROPERTY
@given(prefix=st.sampled_from(MAGIC), tail=st.binary(max_size=4096))
def test_random_bytes_are_decoded_or_rejected(prefix, tail):
    try:
        image = load(prefix + tail)
    except ImageRejected as rejected:
        assert rejected.status in (400, 413, 415)
        assert rejected.message.endswith(".")
    else:
        assert_plain_rgb(image)


def encoded(width: int, height: int, mode: str, fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, (width, height), 7).save(buffer, fmt)
    return buffer.getvalue()


@PROPERTY
@given(
    width=st.integers(1, 1200),
    height=st.integers(1, 1200),
    mode_format=st.sampled_from(
        [
            ("RGB", "JPEG"),
            ("L", "JPEG"),
            ("CMYK", "JPEG"),
            ("RGB", "PNG"),
            ("RGBA", "PNG"),
            ("LA", "PNG"),
            ("P", "PNG"),
            ("I;16", "PNG"),
            ("1", "PNG"),
            ("RGB", "WEBP"),
            ("RGBA", "WEBP"),
        ]
    ),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_images_of_any_size_and_mode_are_converted_or_rejected(width, height, mode_format, cut):
    mode, fmt = mode_format
    data = encoded(width, height, mode, fmt)
    if cut is not None:
        data = data[: int(len(data) * cut)]
    try:
        image = load(data)
    except ImageRejected as rejected:
        too_many = width * height > LIMITS["max_pixels"]
        too_small = min(width, height) < LIMITS["min_side"]
        if cut is None:  # a whole file is refused only for its size
            assert rejected.code == ("too_many_pixels" if too_many else "too_small"), (
                rejected.code,
                too_small,
            )
    else:
        assert_plain_rgb(image)
        assert image.size == (width, height)


@PROPERTY
@given(data=st.binary(max_size=64), size=st.integers(0, 10**5))
def test_too_many_bytes_is_a_413_whatever_the_content(data, size):
    with pytest.raises(ImageRejected) as rejected:
        load_upload(data + b"\x00" * size, max_bytes=len(data) + size - 1, **_no_bytes(LIMITS))
    assert rejected.value.code in ("too_large", "empty")


def small_photos() -> list[bytes]:
    """Valid small photos in each accepted format, with EXIF, to be damaged at random."""
    face = Image.open(io.BytesIO(photos.face_jpeg(orientation=6, gps=True))).resize((48, 40))
    out = []
    for fmt, options in (
        ("JPEG", {"exif": photos.exif_block(orientation=6, gps=True).tobytes()}),
        ("JPEG", {"progressive": True}),
        ("PNG", {}),
        ("WEBP", {"exif": photos.exif_block(orientation=3).tobytes()}),
        ("WEBP", {"lossless": True}),
    ):
        buffer = io.BytesIO()
        face.save(buffer, fmt, **options)
        out.append(buffer.getvalue())
    return out


SMALL_PHOTOS = small_photos()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    photo=st.sampled_from(SMALL_PHOTOS),
    damage=st.lists(st.tuples(st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.floats(0.05, 1),
)
# Found by a 30,000-case run: tampered EXIF tags that made ImageOps.exif_transpose fail with
# struct.error and TypeError (a 500) when it wrote the EXIF block back out.
@example(
    photo=SMALL_PHOTOS[3],
    damage=[(0.6462, 34), (0.2766, 105), (0.2382, 1), (0.9214, 16), (0.2884, 10),
            (0.3140, 126), (0.9570, 83)],
    cut=1.0,
)  # fmt: skip
@example(photo=SMALL_PHOTOS[0], damage=[(0.9802, 80), (0.0802, 6), (0.5383, 118)], cut=1.0)
def test_damaged_photos_are_decoded_or_rejected(photo, damage, cut):
    """Bit rot and tampering deep inside real files: the decoders' odd errors (struct,
    index, EOF, syntax) all become a rejection, never an unexpected exception."""
    data = bytearray(photo[: max(1, int(len(photo) * cut))])
    for where, value in damage:
        data[min(len(data) - 1, int(where * len(data)))] = value
    try:
        image = load(bytes(data))
    except ImageRejected as rejected:
        assert rejected.status in (400, 413, 415)
    else:
        assert_plain_rgb(image)


def _no_bytes(limits: dict) -> dict:
    return {key: value for key, value in limits.items() if key != "max_bytes"}


JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=80),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
SHOT_FIELDS = [
    "event_id",
    "player_id",
    "player_name",
    "shot_speed",
    "shot_distance",
    "shot_goal",
    "shots_done",
    "leaderboard_ranking",
    "experience",
]


@PROPERTY
@given(payload=JSON | st.dictionaries(st.sampled_from(SHOT_FIELDS), JSON, max_size=9))
@example(payload={"shot_speed": float("nan")})
@example(payload={"shot_speed": 1e308, "shot_distance": -1e308})
def test_shot_serializer_accepts_or_names_the_fields_for_any_json(payload):
    serializer = ShotSerializer(data=payload)
    if serializer.is_valid():
        report = serializer.report()
        assert 0 < report.speed_mps <= 60
        assert 1 <= report.distance_m <= 60
        assert math.isfinite(report.speed_mps)
    else:
        errors = serializer.errors
        assert errors and all(isinstance(name, str) for name in errors)
        json.dumps(errors)  # what the API sends back must be JSON


@PROPERTY
@given(
    speed=st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=20),
    distance=st.floats(allow_nan=True, allow_infinity=True) | st.integers(),
    shots=st.integers() | st.floats(allow_nan=True),
    name=st.text(max_size=60),
)
def test_shot_numbers_out_of_range_are_refused_never_crash(speed, distance, shots, name):
    serializer = ShotSerializer(
        data={
            "event_id": "evt-1",
            "player_name": name,
            "shot_speed": speed,
            "shot_distance": distance,
            "shot_goal": True,
            "shots_done": shots,
        }
    )
    if serializer.is_valid():
        data = serializer.validated_data
        assert 0 < data["shot_speed"] <= 60 and 1 <= data["shot_distance"] <= 60
        assert 1 <= data["shots_done"] <= 1_000_000
        assert 0 < len(data["player_name"]) <= 40
    else:
        assert set(serializer.errors) <= {
            "shot_speed",
            "shot_distance",
            "shots_done",
            "player_name",
        }


STREAM = st.fixed_dictionaries(
    {},
    optional={
        "codec_type": st.sampled_from(["video", "audio", "data"]) | JSON,
        "codec_name": JSON,
        "width": st.integers(-10, 10**6) | JSON,
        "height": st.integers(-10, 10**6) | JSON,
        "avg_frame_rate": st.sampled_from(["24/1", "0/0", "30000/1001", "N/A", "1/0"])
        | st.text(max_size=12)
        | JSON,
        "nb_frames": st.sampled_from(["N/A", "48"]) | st.integers() | JSON,
        "nb_read_packets": st.sampled_from(["24", "48"]) | JSON,
    },
)
PROBE = st.fixed_dictionaries(
    {},
    optional={
        "format": st.fixed_dictionaries(
            {},
            optional={
                "format_name": st.sampled_from(["mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm"]) | JSON,
                "duration": st.sampled_from(["2.000000", "N/A", "inf", "nan", "-1"]) | JSON,
            },
        )
        | JSON,
        "streams": st.lists(STREAM | JSON, max_size=3) | JSON,
    },
)


@PROPERTY
@given(output=PROBE.map(json.dumps) | st.text(max_size=200) | JSON.map(json.dumps))
@example(output='{"format": {"format_name": "mp4", "duration": "2"}, "streams": [{}]}')
@example(output='{"format": {"format_name": "mp4"}, "streams": [{"codec_type": "video"}]}')
def test_probe_output_of_any_shape_is_a_clip_or_a_rejection(output):
    try:
        info = parse_probe(output)
    except ClipRejected as rejected:
        assert rejected.status in (400, 415)
        assert rejected.message.endswith(".")
    else:
        assert isinstance(info, ClipInfo)
        assert info.width > 0 and info.height > 0
        assert 0 < info.fps < 1000 and info.duration > 0
        assert math.isfinite(info.duration) and math.isfinite(info.fps)


@PROPERTY
@given(text=st.text(max_size=30))
def test_frame_rate_text_is_always_a_finite_number(text):
    rate = _rate(text)
    assert math.isfinite(rate)
