"""The diagrams: valid SVG with alt text, the kit's palette, readable text, never stale."""

import base64
import html
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from rnnlab import diagrams
from rnnlab.palette import ON_WHITE, OKABE_ITO, PALETTE, TEXT_ON_WHITE

SVG = "{http://www.w3.org/2000/svg}"
IMG = Path(__file__).resolve().parents[1] / "img"
DRAWN = {draw.__name__: draw() for draw in diagrams.ALL}


def is_grey(colour: str) -> bool:
    red, green, blue = (colour[i:i + 2].lower() for i in (1, 3, 5))
    return red == green == blue  # black, white and the greys between


def allowed(colour: str) -> bool:
    colour = colour.upper()
    return colour in set(PALETTE.values()) | set(OKABE_ITO.values()) or is_grey(colour)


@pytest.fixture(params=sorted(DRAWN))
def diagram(request):
    return DRAWN[request.param]


def root_of(diagram):
    return ET.fromstring(diagram.svg)


def test_three_diagrams_with_their_names():
    assert set(DRAWN) == {"unrolled_rnn", "lstm_cell", "gradient_paths"}
    for name, diagram in DRAWN.items():
        assert diagram.name == name


def test_svg_parses_and_is_an_image_with_alt_text(diagram):
    root = root_of(diagram)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert len(diagram.alt) > 150 and diagram.alt.endswith(".")
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title is not None and title.text.strip()
    assert desc is not None and desc.text == diagram.alt
    assert set(root.get("aria-labelledby").split()) == {title.get("id"), desc.get("id")}


def test_readable_at_notebook_width(diagram):
    root = root_of(diagram)
    _, _, width, height = map(float, root.get("viewBox").split())
    assert 760 <= width <= 800 and 300 <= height <= 700
    assert "sans-serif" in root.get("font-family")
    texts = [el for el in root.iter() if el.tag in (f"{SVG}text", f"{SVG}tspan")]
    assert len(texts) > 20
    sizes = [float(el.get("font-size")) for el in texts if el.get("font-size")]
    assert sizes and min(sizes) >= 13  # px: readable at a notebook's width
    # one font family: only the root chooses it
    assert [el for el in root.iter() if el.get("font-family")] == [root]


def test_colours_come_from_the_palette(diagram):
    root = root_of(diagram)
    used = set()
    for element in root.iter():
        for attribute in ("fill", "stroke"):
            value = element.get(attribute)
            if value is None or value == "none":
                continue
            assert re.fullmatch(r"#[0-9A-Fa-f]{6}", value), (element.tag, attribute, value)
            used.add(value)
    # no colours hidden in CSS
    assert not [el for el in root.iter() if el.get("style") or el.tag == f"{SVG}style"]
    outside = sorted(colour for colour in used if not allowed(colour))
    assert not outside, f"colours outside rnnlab.palette: {outside}"
    assert len(used - {"#FFFFFF", "#000000"}) >= 3  # the diagrams do use the palette


def test_every_marker_reference_is_defined_and_ids_are_unique(diagram):
    root = root_of(diagram)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    references = set(re.findall(r"url\(#([^)]+)\)", diagram.svg))
    assert references and references <= set(ids)


def test_text_markup_is_rendered_not_leaked(diagram):
    root = root_of(diagram)
    shown = " ".join("".join(el.itertext()) for el in root.iter(f"{SVG}text"))
    assert "_{" not in shown and "^{" not in shown
    subscripts = [el for el in root.iter(f"{SVG}tspan") if el.get("dy")]
    assert subscripts  # H_t, W_hh, ... are drawn as subscripts


def test_gate_colours_are_consistent():
    svg = DRAWN["lstm_cell"].svg
    for role in ("gate_i", "gate_f", "gate_o", "candidate", "cell_state"):
        assert PALETTE[role] in svg, role
    assert PALETTE["rnn"] in DRAWN["unrolled_rnn"].svg
    paths = DRAWN["gradient_paths"].svg
    assert PALETTE["rnn"] in paths and PALETTE["lstm"] in paths
    assert "diag(F" in paths and "W<tspan" in paths  # the two Jacobians are named


def test_committed_images_are_up_to_date():
    for name, diagram in DRAWN.items():
        path = IMG / f"{name}.svg"
        assert path.exists() and path.read_text(encoding="utf-8") == diagram.svg, (
            f"{path} is missing or stale: run `python tools/draw_diagrams.py`"
        )


def test_mimebundle_shows_the_image_with_its_alt_text(diagram):
    bundle = diagram._repr_mimebundle_()
    assert bundle["text/plain"] == diagram.alt
    page = bundle["text/html"]
    assert page.startswith("<figure") and "<figcaption" in page
    match = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]*)"', page)
    assert match, page[:200]
    assert base64.b64decode(match.group(1)).decode("utf-8") == diagram.svg
    assert html.unescape(match.group(2)) == diagram.alt


def test_alt_text_is_escaped_in_html():
    tricky = diagrams.Diagram(name="x", svg="<svg/>", alt='a "quoted" <b> & more.')
    page = tricky._repr_mimebundle_()["text/html"]
    assert 'alt="a &quot;quoted&quot; &lt;b&gt; &amp; more."' in page


def test_save_and_show(tmp_path):
    path = diagrams.show("lstm_cell").save(tmp_path / "cell.svg")
    assert path.read_text(encoding="utf-8") == DRAWN["lstm_cell"].svg
    with pytest.raises(ValueError, match="unrolled_rnn, lstm_cell, gradient_paths"):
        diagrams.show("gru_cell")


def test_palette_is_okabe_ito_or_grey():
    hues = set(ON_WHITE.values()) | set(TEXT_ON_WHITE.values())
    assert all(colour in hues or is_grey(colour) or colour == PALETTE["error"]
               for colour in PALETTE.values())
    from rnnlab import pretrained

    models_and_toy = [PALETTE[k] for k in (*pretrained.SHIPPED, "toy")]
    assert all(colour in ON_WHITE.values() for colour in models_and_toy)
    assert len(set(models_and_toy)) == len(models_and_toy)  # no two models share a colour
    assert is_grey(PALETTE["baseline"]) and is_grey(PALETTE["chance"])


def test_drawing_needs_no_tensorflow():
    code = "import sys, rnnlab.diagrams as d; d.lstm_cell(); print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "False"
