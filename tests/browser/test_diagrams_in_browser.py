"""Every diagram as Chromium lays it out: no text runs off the picture."""

from __future__ import annotations

import pytest

from rnnlab import diagrams

# each text element's box, and the picture's own width and height
MEASURE = """() => {
    const svg = document.querySelector('svg');
    const texts = Array.from(svg.querySelectorAll('text'), t => {
        const box = t.getBBox();
        return {text: t.textContent, left: box.x, right: box.x + box.width,
                top: box.y, bottom: box.y + box.height};
    });
    return {width: svg.width.baseVal.value, height: svg.height.baseVal.value, texts};
}"""


@pytest.mark.parametrize("name", diagrams.names())
def test_every_text_fits_inside_the_diagram(browser_context, name):
    page = browser_context.new_page()
    try:
        page.set_content(f"<html><body style='margin:0'>{diagrams.show(name).svg}</body></html>")
        laid_out = page.evaluate(MEASURE)
    finally:
        page.close()
    assert laid_out["texts"], "no text measured"
    cut = [t["text"] for t in laid_out["texts"]
           if t["left"] < 0 or t["right"] > laid_out["width"]
           or t["top"] < 0 or t["bottom"] > laid_out["height"]]
    assert cut == [], f"{name}: text outside the {laid_out['width']:.0f} px picture: {cut}"
