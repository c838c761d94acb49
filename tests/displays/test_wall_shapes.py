"""Walls of any shape: the default image is shown whole on a landscape and a portrait wall
(nothing of "Booth" or its tagline cropped), and each page reports its size to staff."""

import pytest
from PIL import ImageDraw, ImageFont

from experiences.library.demo_art import DEFAULT_CARD_TEXT_WIDTH, _wrap, paint_default_card
from tests import servers
from tests.test_end_to_end import ADMIN_PASSWORD, PASSWORD

TAGLINE = "Step up to a tablet to meet your past life"

# The rendered box of the default image's pixels (object-fit decides it), in page pixels.
IMAGE_BOX = """() => {
  const img = document.getElementById('default-image');
  const box = img.getBoundingClientRect();
  const fit = getComputedStyle(img).objectFit;
  const scale = (fit === 'cover' ? Math.max : Math.min)(
    box.width / img.naturalWidth, box.height / img.naturalHeight);
  const width = img.naturalWidth * scale, height = img.naturalHeight * scale;
  const left = box.left + (box.width - width) / 2, top = box.top + (box.height - height) / 2;
  return {left, top, right: left + width, bottom: top + height, scale,
          viewportWidth: innerWidth, viewportHeight: innerHeight, natural: img.naturalWidth};
}"""


def test_the_demo_cards_tagline_fits_inside_the_card():
    card = paint_default_card("Booth", TAGLINE)
    draw = ImageDraw.Draw(card)
    font = ImageFont.load_default(size=54)
    lines = _wrap(draw, TAGLINE, font, DEFAULT_CARD_TEXT_WIDTH)
    assert " ".join(lines) == TAGLINE
    assert all(draw.textlength(line, font=font) <= card.width - 40 for line in lines)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    demo = servers.ServedDemo(tmp_path_factory.mktemp("booth-shapes"), PASSWORD, ADMIN_PASSWORD)
    demo.env["BOOTH_ATTRACT_AFTER_SECONDS"] = "0"  # stay on the default image
    demo.start()
    yield demo
    demo.stop()


@pytest.mark.browser
@pytest.mark.system
@pytest.mark.parametrize("width,height", [(1920, 1080), (1080, 1920)])
def test_the_default_image_is_fully_visible_and_the_size_reaches_staff(
    served,
    browser,
    tmp_path,
    width,
    height,
):
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{served.url}/displays/1/")
    page.wait_for_function("document.getElementById('default-image').naturalWidth > 0")
    page.wait_for_selector("#connection[data-connected=true]", state="attached")
    box = page.evaluate(IMAGE_BOX)
    # The whole card, hence "Booth" and the tagline drawn inside it, is on screen...
    assert box["left"] >= -0.5 and box["top"] >= -0.5, box
    assert box["right"] <= width + 0.5 and box["bottom"] <= height + 0.5, box
    # ...and as large as the wall allows: it touches two opposite edges.
    fills_height = abs(box["bottom"] - box["top"] - height) < 1
    assert fills_height or abs(box["right"] - box["left"] - width) < 1, box
    page.screenshot(path=str(tmp_path / f"wall-{width}x{height}.png"))

    staff = browser.new_context().new_page()
    staff.goto(f"{served.url}/admin/login/?next=/displays/status/")
    staff.fill("input[name=username]", "admin")
    staff.fill("input[name=password]", ADMIN_PASSWORD)
    staff.click("input[type=submit]")
    cell = staff.locator("tr[data-display='1'] [data-field=size]")
    staff.wait_for_function(
        "size => document.querySelector(`tr[data-display='1'] [data-field=size]`)"
        ".textContent.includes(size)",
        arg=f"{width}×{height}",
    )
    assert f"{width}×{height}" in cell.inner_text()
    page.context.close()
    staff.context.close()
