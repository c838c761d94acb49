"""Demo base portraits painted by code, so the demo needs no downloaded media.

Each portrait is a costumed figure against a painted backdrop with a plain skin-toned
face oval; the recorded face box tells the compositor where the visitor's face goes.
"""

import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from experiences.photo.faces import Box

WIDTH, HEIGHT = 768, 1024
FACE_BOX = Box(264, 250, 240, 270)


@dataclass(frozen=True)
class Persona:
    key: str
    title: str
    country: str
    era: str
    occupation: str
    gender: str
    backdrop: tuple[tuple[int, int, int], tuple[int, int, int]]
    robe: tuple[int, int, int]
    trim: tuple[int, int, int]
    headwear: str
    story: str


PERSONAS = [
    Persona(
        "joseon-scholar",
        "Joseon scholar",
        "Korea",
        "1590s",
        "scholar",
        "male",
        ((46, 64, 56), (120, 140, 110)),
        (236, 232, 220),
        (40, 40, 48),
        "gat",
        "In 1590s Hanseong, {nickname} was a young scholar who copied poems by "
        "candlelight and once out-argued a minister about the price of rice.",
    ),
    Persona(
        "joseon-painter",
        "Joseon court painter",
        "Korea",
        "1590s",
        "painter",
        "female",
        ((70, 44, 52), (170, 120, 120)),
        (214, 96, 120),
        (250, 240, 220),
        "bun",
        "In 1590s Hanseong, {nickname} painted the royal peonies so truly that bees "
        "flew into the palace hall to visit them.",
    ),
    Persona(
        "roman-senator",
        "Roman senator",
        "Italy",
        "50 BC",
        "senator",
        "male",
        ((120, 84, 50), (214, 180, 120)),
        (240, 236, 226),
        (120, 30, 90),
        "laurel",
        "In 50 BC Rome, {nickname} was a senator famous for short speeches, which made "
        "them the most popular person in the Forum.",
    ),
    Persona(
        "roman-poet",
        "Roman poet",
        "Italy",
        "50 BC",
        "poet",
        "female",
        ((96, 70, 60), (200, 160, 130)),
        (190, 150, 200),
        (230, 200, 90),
        "laurel",
        "In 50 BC Rome, {nickname} wrote verses on wax tablets and read them aloud at "
        "the baths until the whole city knew them by heart.",
    ),
    Persona(
        "viking-navigator",
        "Viking navigator",
        "Norway",
        "900s",
        "navigator",
        "male",
        ((40, 60, 84), (130, 160, 180)),
        (110, 84, 60),
        (200, 190, 170),
        "helmet",
        "Around 900 in the fjords, {nickname} read the stars and the whales to steer a "
        "longship across the grey sea and home again.",
    ),
    Persona(
        "viking-shipwright",
        "Viking shipwright",
        "Norway",
        "900s",
        "shipwright",
        "female",
        ((50, 70, 70), (150, 170, 160)),
        (90, 110, 80),
        (210, 200, 160),
        "braids",
        "Around 900 in the fjords, {nickname} built the fastest ship on the coast and "
        "named it after a grandmother who never lost a race.",
    ),
    Persona(
        "renaissance-painter",
        "Renaissance painter",
        "Italy",
        "1500s",
        "painter",
        "male",
        ((60, 40, 30), (150, 110, 70)),
        (40, 36, 40),
        (240, 236, 230),
        "beret",
        "In 1500s Florence, {nickname} ground pigments for a great master and secretly "
        "painted the smile everyone argues about.",
    ),
    Persona(
        "renaissance-merchant",
        "Renaissance merchant",
        "Italy",
        "1500s",
        "merchant",
        "female",
        ((50, 30, 50), (140, 100, 130)),
        (110, 30, 50),
        (230, 200, 110),
        "beret",
        "In 1500s Venice, {nickname} traded silk and pepper from a canal-side office and "
        "kept the best ledger on the Rialto.",
    ),
    Persona(
        "edo-merchant",
        "Edo merchant",
        "Japan",
        "1700s",
        "merchant",
        "male",
        ((80, 60, 40), (200, 170, 120)),
        (40, 60, 110),
        (220, 210, 190),
        "none",
        "In 1700s Edo, {nickname} sold paper lanterns on Nihonbashi bridge and painted "
        "a tiny moon inside every one of them.",
    ),
    Persona(
        "edo-musician",
        "Edo musician",
        "Japan",
        "1700s",
        "musician",
        "female",
        ((90, 40, 40), (210, 140, 110)),
        (150, 40, 60),
        (240, 200, 120),
        "bun",
        "In 1700s Edo, {nickname} played the shamisen at summer festivals, and the "
        "fireworks were timed to the music.",
    ),
    Persona(
        "egyptian-scribe",
        "Egyptian scribe",
        "Egypt",
        "1300 BC",
        "scribe",
        "male",
        ((150, 110, 50), (230, 200, 130)),
        (240, 236, 220),
        (40, 100, 150),
        "nemes",
        "In 1300 BC Thebes, {nickname} was a scribe who wrote the pharaoh's letters and "
        "hid a small joke in every one.",
    ),
    Persona(
        "egyptian-astronomer",
        "Egyptian astronomer",
        "Egypt",
        "1300 BC",
        "astronomer",
        "female",
        ((30, 40, 80), (120, 110, 160)),
        (240, 236, 220),
        (200, 160, 40),
        "nemes",
        "In 1300 BC Thebes, {nickname} watched the stars to tell the farmers when the "
        "Nile would rise, and was never once wrong.",
    ),
    Persona(
        "victorian-inventor",
        "Victorian inventor",
        "England",
        "1880s",
        "inventor",
        "male",
        ((60, 50, 40), (150, 130, 100)),
        (100, 70, 50),
        (200, 170, 90),
        "tophat",
        "In 1880s London, {nickname} built a clockwork tea machine that worked perfectly "
        "except on Tuesdays.",
    ),
    Persona(
        "victorian-engineer",
        "Victorian engineer",
        "England",
        "1880s",
        "engineer",
        "female",
        ((40, 50, 60), (130, 140, 150)),
        (60, 70, 90),
        (210, 180, 120),
        "tophat",
        "In 1880s London, {nickname} designed a bridge over the Thames and rode the first "
        "bicycle across it.",
    ),
    Persona(
        "silk-road-astronomer",
        "Silk Road astronomer",
        "Uzbekistan",
        "1420s",
        "astronomer",
        "male",
        ((20, 50, 70), (90, 140, 150)),
        (30, 120, 120),
        (220, 180, 80),
        "turban",
        "In 1420s Samarkand, {nickname} measured the year to within a minute from the "
        "great observatory, and celebrated with melons.",
    ),
    Persona(
        "silk-road-weaver",
        "Silk Road weaver",
        "Uzbekistan",
        "1420s",
        "weaver",
        "female",
        ((70, 30, 60), (170, 110, 140)),
        (170, 60, 90),
        (230, 190, 90),
        "turban",
        "In 1420s Samarkand, {nickname} wove carpets with patterns so clever that "
        "merchants crossed deserts to buy them.",
    ),
]

SKIN = (214, 170, 140)
# Skin and hair per portrait, so the library shows people rather than one painted doll.
SKIN_TONES = [(224, 184, 152), (198, 150, 112), (170, 120, 86), (236, 200, 172), (140, 96, 70)]
HAIR_COLOURS = [(34, 26, 22), (70, 46, 30), (120, 80, 44), (22, 20, 20), (150, 110, 70)]
# Where the face sits (the visitor's face goes here): centre, half-width, top and chin.
FACE_CX = FACE_BOX.x + FACE_BOX.w // 2
FACE_TOP, FACE_CHIN = FACE_BOX.y - 6, FACE_BOX.y + FACE_BOX.h + 24
FACE_HALF = FACE_BOX.w // 2 - 10


def _backdrop(draw: ImageDraw.ImageDraw, top: tuple, bottom: tuple) -> None:
    for y in range(HEIGHT):
        t = y / HEIGHT
        colour = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True))
        draw.line([(0, y), (WIDTH, y)], fill=colour)


def _tone(persona: Persona) -> tuple[int, int, int]:
    return SKIN_TONES[sum(map(ord, persona.key)) % len(SKIN_TONES)]


def _hair_colour(persona: Persona) -> tuple[int, int, int]:
    return HAIR_COLOURS[sum(map(ord, persona.key[::-1])) % len(HAIR_COLOURS)]


def _shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, round(c * factor))) for c in colour)


def _figure(draw: ImageDraw.ImageDraw, persona: Persona) -> None:
    cx = FACE_CX
    skin = _tone(persona)
    # Neck (shaded under the jaw), shoulders and robe.
    neck = _shade(skin, 0.86)
    draw.rectangle([cx - 70, 470, cx + 70, 640], fill=neck)
    draw.rounded_rectangle([cx - 300, 600, cx + 300, HEIGHT + 80], radius=170, fill=persona.robe)
    draw.polygon([(cx - 95, 600), (cx + 95, 600), (cx, 730)], fill=neck)
    draw.line([(cx - 95, 600), (cx, 740), (cx + 95, 600)], fill=persona.trim, width=22)
    draw.line([(cx, 740), (cx, HEIGHT)], fill=persona.trim, width=10)
    # Hair behind the head frames the face before any headwear goes on.
    hair = _hair_colour(persona)
    draw.ellipse(
        [cx - FACE_HALF - 30, FACE_TOP - 40, cx + FACE_HALF + 30, FACE_TOP + 250], fill=hair
    )
    _headwear(draw, persona, cx)
    # Ears, then the face's own oval on top.
    for side in (-1, 1):
        ear_x = cx + side * (FACE_HALF + 2)
        draw.ellipse([ear_x - 18, 360, ear_x + 18, 430], fill=_shade(skin, 0.9))
    draw.ellipse([cx - FACE_HALF, FACE_TOP, cx + FACE_HALF, FACE_CHIN], fill=skin)


def _paint_face(image: Image.Image, persona: Persona) -> Image.Image:
    """Light and shade on the face oval, then eyes, brows, nose and mouth.

    Drawn in proportions of a real face (eyes halfway down the head, one eye's width
    apart; nose tip two thirds of the way to the chin; mouth a third of the way from nose
    to chin), lit from the upper left: what a face detector and the face mesh recognise,
    and what the compositor's colour and light matching takes its cue from.
    """
    pixels = np.asarray(image, np.float32).copy()
    skin = np.array(_tone(persona), np.float32)
    height = FACE_CHIN - FACE_TOP
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH].astype(np.float32)
    nx = (xs - FACE_CX) / FACE_HALF
    ny = (ys - (FACE_TOP + height / 2)) / (height / 2)
    radius = np.sqrt(nx**2 + ny**2)
    inside = radius <= 1.0
    # Light from the upper left; the rim of the face and the area under the brows darker.
    light = 1.06 - 0.10 * nx - 0.05 * ny - 0.22 * np.clip(radius - 0.6, 0, 1) ** 1.5
    eye_y = FACE_TOP + height * 0.47
    socket = np.exp(-(((np.abs(xs - FACE_CX) - 48) / 36) ** 2 + ((ys - eye_y) / 18) ** 2))
    light -= 0.10 * socket
    cheek = np.exp(-(((np.abs(xs - FACE_CX) - 62) / 30) ** 2 + ((ys - eye_y - 62) / 24) ** 2))
    shaded = skin * light[..., None]
    shaded += cheek[..., None] * np.array([16, -6, -6], np.float32)  # a little blush
    pixels[inside] = shaded[inside]
    face = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(face)
    hair = _hair_colour(persona)
    cx = FACE_CX
    eye_y = round(eye_y)
    for side in (-1, 1):
        ex = cx + side * 50
        # Brow: a thick arc, higher in the middle.
        brow = [
            (ex - 30, eye_y - 24),
            (ex - 8, eye_y - 34),
            (ex + 14, eye_y - 33),
            (ex + 30, eye_y - 26),
        ]
        brow = [
            (cx + (x - cx), y) if side > 0 else (cx - (x - cx) + 2 * (ex - cx), y) for x, y in brow
        ]
        draw.line(brow, fill=_shade(hair, 0.9), width=8, joint="curve")
        # Eye: white almond, iris, pupil, highlight, upper lid and lashes.
        draw.ellipse([ex - 24, eye_y - 10, ex + 24, eye_y + 10], fill=(240, 236, 228))
        draw.ellipse([ex - 10, eye_y - 10, ex + 10, eye_y + 10], fill=(86, 58, 36))
        draw.ellipse([ex - 5, eye_y - 5, ex + 5, eye_y + 5], fill=(14, 10, 10))
        draw.ellipse([ex - 6, eye_y - 7, ex - 2, eye_y - 3], fill=(250, 250, 250))
        draw.arc([ex - 25, eye_y - 12, ex + 25, eye_y + 14], 190, 350, fill=(40, 28, 24), width=4)
        draw.arc(
            [ex - 24, eye_y - 10, ex + 24, eye_y + 12],
            20,
            160,
            fill=_shade(_tone(persona), 0.7),
            width=2,
        )
    # Nose: a shadowed side, the bridge's highlight, nostrils.
    nose_tip = round(FACE_TOP + height * 0.66)
    darker = _shade(_tone(persona), 0.78)
    draw.line([(cx + 8, eye_y + 8), (cx + 14, nose_tip - 6)], fill=darker, width=5)
    draw.line(
        [(cx - 4, eye_y + 6), (cx - 5, nose_tip - 12)], fill=_shade(_tone(persona), 1.08), width=6
    )
    draw.ellipse(
        [cx - 20, nose_tip - 10, cx + 20, nose_tip + 10], fill=_shade(_tone(persona), 0.95)
    )
    draw.ellipse([cx - 17, nose_tip + 1, cx - 7, nose_tip + 8], fill=_shade(_tone(persona), 0.55))
    draw.ellipse([cx + 7, nose_tip + 1, cx + 17, nose_tip + 8], fill=_shade(_tone(persona), 0.55))
    # Mouth: upper and lower lip, the line between them, a shadow under the lower lip.
    mouth_y = round(nose_tip + (FACE_CHIN - nose_tip) * 0.38)
    lips = (178, 92, 90) if persona.gender == "female" else _shade((176, 108, 96), 0.95)
    draw.chord([cx - 34, mouth_y - 12, cx + 34, mouth_y + 8], 180, 360, fill=_shade(lips, 0.9))
    draw.chord([cx - 30, mouth_y - 10, cx + 30, mouth_y + 16], 0, 180, fill=lips)
    draw.line(
        [(cx - 34, mouth_y), (cx, mouth_y + 2), (cx + 34, mouth_y)], fill=(90, 40, 40), width=3
    )
    draw.arc([cx - 24, mouth_y + 10, cx + 24, mouth_y + 30], 20, 160, fill=darker, width=3)
    # Hair over the forehead, under the hat's brim: the face is framed, not an egg.
    if persona.headwear != "nemes":  # the nemes headcloth frames the face itself
        draw.chord(
            [cx - FACE_HALF - 4, FACE_TOP - 30, cx + FACE_HALF + 4, FACE_TOP + 90],
            180,
            360,
            fill=hair,
        )
    return face


def _headwear(draw: ImageDraw.ImageDraw, persona: Persona, cx: int) -> None:
    top = FACE_BOX.y - 8
    trim, robe = persona.trim, persona.robe
    match persona.headwear:
        case "gat":
            draw.ellipse([cx - 190, top - 20, cx + 190, top + 20], fill=(25, 25, 30))
            draw.rectangle([cx - 80, top - 120, cx + 80, top], fill=(25, 25, 30))
        case "bun":
            draw.ellipse([cx - 130, top - 70, cx + 130, top + 60], fill=(30, 24, 22))
            draw.ellipse([cx - 60, top - 150, cx + 60, top - 40], fill=(30, 24, 22))
            draw.line([(cx - 110, top - 95), (cx + 110, top - 95)], fill=trim, width=10)
        case "laurel":
            for i in range(9):
                x = cx - 150 + i * 37
                draw.ellipse([x - 16, top - 28, x + 16, top + 4], fill=(80, 130, 60))
        case "helmet":
            draw.pieslice([cx - 150, top - 140, cx + 150, top + 60], 180, 360, fill=(120, 120, 125))
            draw.rectangle([cx - 10, top - 140, cx + 10, top - 40], fill=(90, 90, 95))
        case "braids":
            draw.ellipse([cx - 140, top - 60, cx + 140, top + 50], fill=(170, 120, 60))
            draw.rectangle([cx - 170, top, cx - 130, top + 330], fill=(170, 120, 60))
            draw.rectangle([cx + 130, top, cx + 170, top + 330], fill=(170, 120, 60))
        case "beret":
            draw.ellipse([cx - 170, top - 90, cx + 150, top + 20], fill=robe)
            draw.ellipse([cx + 100, top - 100, cx + 130, top - 70], fill=trim)
        case "nemes":
            draw.polygon(
                [
                    (cx - 150, top + 10),
                    (cx + 150, top + 10),
                    (cx + 190, top + 330),
                    (cx - 190, top + 330),
                ],
                fill=trim,
            )
            draw.pieslice([cx - 150, top - 90, cx + 150, top + 90], 180, 360, fill=trim)
            for i in range(6):
                draw.line(
                    [(cx - 185 + i * 4, top + 60 + i * 45), (cx - 150, top + 60 + i * 45)],
                    fill=(240, 210, 90),
                    width=8,
                )
        case "tophat":
            draw.ellipse([cx - 170, top - 20, cx + 170, top + 16], fill=(20, 20, 24))
            draw.rectangle([cx - 105, top - 200, cx + 105, top], fill=(20, 20, 24))
            draw.rectangle([cx - 105, top - 40, cx + 105, top - 16], fill=trim)
        case "turban":
            draw.ellipse([cx - 160, top - 120, cx + 160, top + 40], fill=(240, 236, 226))
            draw.ellipse([cx - 30, top - 80, cx + 30, top - 20], fill=trim)


def _paint_texture(image: Image.Image, seed: int) -> Image.Image:
    """Brush-like grain and soft edges so the figure reads as a painting."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(0, 9, (HEIGHT // 4, WIDTH // 4, 1)).repeat(3, axis=2)
    noise = (
        np.asarray(
            Image.fromarray(np.clip(noise + 128, 0, 255).astype(np.uint8)).resize(
                (WIDTH, HEIGHT), Image.Resampling.BICUBIC
            ),
            np.float32,
        )
        - 128
    )
    soft = np.asarray(image.filter(ImageFilter.GaussianBlur(1.6)), np.float32)
    return Image.fromarray(np.clip(soft + noise, 0, 255).astype(np.uint8))


def paint_portrait(persona: Persona) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    _backdrop(draw, *persona.backdrop)
    rng = random.Random(persona.key)
    strokes = Image.new("RGB", image.size)
    stroke_draw = ImageDraw.Draw(strokes)
    for _ in range(60):  # loose background brush strokes, blurred into the backdrop
        x, y = rng.randrange(WIDTH), rng.randrange(HEIGHT)
        shade = tuple(max(0, min(255, c + rng.randrange(-30, 30))) for c in persona.backdrop[1])
        stroke_draw.ellipse([x - 90, y - 20, x + 90, y + 20], fill=shade)
    mask = strokes.convert("L").point(lambda v: 70 if v else 0).filter(ImageFilter.GaussianBlur(12))
    image.paste(strokes.filter(ImageFilter.GaussianBlur(6)), mask=mask)
    draw = ImageDraw.Draw(image)
    _figure(draw, persona)
    image = _paint_face(image, persona)
    return _paint_texture(image, seed=sum(map(ord, persona.key)))


def paint_default_card(title: str, subtitle: str) -> Image.Image:
    """The image a display shows before any result, or when staff switch it to default."""
    image = Image.new("RGB", (1080, 1920))
    draw = ImageDraw.Draw(image)
    for y in range(1920):
        t = y / 1920
        draw.line(
            [(0, y), (1080, y)], fill=(round(24 + 40 * t), round(20 + 18 * t), round(48 + 60 * t))
        )
    draw.ellipse([240, 460, 840, 1060], outline=(240, 200, 120), width=14)
    draw.ellipse([420, 640, 660, 880], fill=(240, 200, 120))
    big = ImageFont.load_default(size=110)
    small = ImageFont.load_default(size=54)
    draw.text((540, 1250), title, font=big, fill=(255, 255, 255), anchor="mm")
    for number, line in enumerate(_wrap(draw, subtitle, small, DEFAULT_CARD_TEXT_WIDTH)):
        draw.text((540, 1400 + number * 72), line, font=small, fill=(230, 220, 240), anchor="mm")
    return image


# The personas' stories in Korean, for visitors who chose 한국어 on the tablet: the demo
# shows the whole Korean flow with no story service.
STORIES_KO = {
    "joseon-scholar": "1590년대 한성에서 {nickname}님은 촛불 아래 시를 베껴 쓰던 젊은 선비였고, "
    "쌀값을 두고 대감과 논쟁해 이긴 적도 있습니다.",
    "joseon-painter": "1590년대 한성에서 {nickname}님이 그린 궁중 모란은 어찌나 생생한지 "
    "벌들이 대궐 안까지 날아들었습니다.",
    "roman-senator": "기원전 50년 로마에서 {nickname}님은 연설이 짧기로 유명한 원로원 의원이었고, "
    "그 덕에 포룸에서 가장 인기 있는 사람이었습니다.",
    "roman-poet": "기원전 50년 로마에서 {nickname}님은 밀랍 판에 시를 써서 목욕탕에서 낭송했고, "
    "온 도시가 그 시를 외웠습니다.",
    "viking-navigator": "900년 무렵 피오르에서 {nickname}님은 별과 고래를 읽으며 롱십을 몰아 "
    "잿빛 바다를 건너고 무사히 돌아왔습니다.",
    "viking-shipwright": "900년 무렵 피오르에서 {nickname}님은 해안에서 가장 빠른 배를 만들어 "
    "경주에서 한 번도 진 적 없는 할머니의 이름을 붙였습니다.",
    "renaissance-painter": "1500년대 피렌체에서 {nickname}님은 거장의 물감을 빻다가, 모두가 "
    "이야기하는 그 미소를 몰래 그려 넣었습니다.",
    "renaissance-merchant": "1500년대 베네치아에서 {nickname}님은 운하 옆 상점에서 비단과 후추를 "
    "팔았고, 리알토에서 가장 꼼꼼한 장부를 썼습니다.",
    "edo-merchant": "1700년대 에도에서 {nickname}님은 니혼바시 다리에서 종이 등롱을 팔며 "
    "등롱마다 작은 달을 그려 넣었습니다.",
    "edo-musician": "1700년대 에도에서 {nickname}님은 여름 축제에서 샤미센을 연주했고, "
    "불꽃놀이가 그 음악에 맞춰 터졌습니다.",
    "egyptian-scribe": "기원전 1300년 테베에서 {nickname}님은 파라오의 편지를 쓰는 서기였고, "
    "편지마다 작은 농담을 숨겨 두었습니다.",
    "egyptian-astronomer": "기원전 1300년 테베에서 {nickname}님은 별을 보고 농부들에게 나일강이 "
    "불어날 때를 알려 주었고, 한 번도 틀린 적이 없습니다.",
    "victorian-inventor": "1880년대 런던에서 {nickname}님은 태엽으로 움직이는 차 기계를 "
    "만들었는데, 화요일만 빼고 완벽하게 작동했습니다.",
    "victorian-engineer": "1880년대 런던에서 {nickname}님은 템스강의 다리를 설계하고, 그 다리를 "
    "건넌 첫 자전거를 탔습니다.",
    "silk-road-astronomer": "1420년대 사마르칸트에서 {nickname}님은 큰 천문대에서 한 해의 길이를 "
    "1분 차이로 재어 내고 멜론으로 축하했습니다.",
    "silk-road-weaver": "1420년대 사마르칸트에서 {nickname}님은 어찌나 영리한 무늬의 양탄자를 "
    "짰는지 상인들이 사막을 건너 사러 왔습니다.",
}


# The tagline keeps this margin from the card's edges (it ran off a 1080 px card).
DEFAULT_CARD_TEXT_WIDTH = 960


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """Words on lines no wider than `width` pixels in `font`."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(candidate, font=font) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines
