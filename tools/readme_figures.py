"""Render the README's two pictures from the kit's own views to img/*.png.

    .venv/bin/python tools/readme_figures.py

img/gradient_flow.png is the GradientFlow view (both shipped models, 32 held-out
windows, 100 steps back); img/gate_heatmap.png is the GateViewer heatmap (the LSTM's
hidden state H over a held-out passage, each unit labelled with the text feature
find_cells matched it to on another passage, and their correlation on the one shown).

No kaleido: each figure goes into a standalone HTML page that loads the plotly.js
bundled with the plotly package (nothing is fetched from the network), and Playwright
screenshots it in the system's Chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from importlib import resources
from pathlib import Path

IMG = Path(__file__).resolve().parents[1] / "img"
CHROMIUM = Path("/usr/bin/chromium")
WIDTH = 900  # CSS pixels; the PNG is twice that (device_scale_factor 2)
SCALE = 2
MAX_BYTES = 400_000
TITLE_TOP = 80  # top margin that leaves room for a two-line title

GATE = "H"  # the hidden state reads best: fixed range [-1, 1], and find_cells matches on H
GRADIENT_TITLE = ("Gradient left k steps back from the loss at a window's last character:"
                  "<br>vanilla RNN vs LSTM, 32 held-out windows (median, 10-90% band)")
HEATMAP_TITLE = ("What single units of the trained LSTM track: hidden state H"
                 "<br>over held-out text, characters {first} to {last}")


def require_chromium() -> None:
    """Stop with a clear message when the browser that renders the pictures is missing."""
    if not CHROMIUM.is_file():
        sys.exit(f"error: {CHROMIUM} is missing: this script renders the figures in the "
                 "system's Chromium (install it, e.g. `apt-get install chromium`).")


def plotly_js() -> Path:
    """The plotly.min.js bundled with the installed plotly package."""
    path = Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))
    if not path.is_file():
        sys.exit(f"error: {path} is missing: the installed plotly package has no bundled "
                 "plotly.js")
    return path


def load_models() -> dict:
    from rnnlab import pretrained

    return pretrained.pair()


def as_dict(figure, **layout) -> dict:
    """Data and layout of a view's FigureWidget, with ``layout`` changes on top."""
    spec = json.loads(figure.to_json())
    spec["layout"].update(layout)
    return spec


def gradient_flow_figure(models: dict) -> dict:
    from rnnlab.widgets import GradientFlow

    view = GradientFlow(models=models, choice="both", num_steps=100)
    if view.error:
        sys.exit(f"error: GradientFlow: {view.error}")
    margin = {**view.figure.layout.margin.to_plotly_json(), "t": TITLE_TOP}
    return as_dict(view.figure, title=dict(text=GRADIENT_TITLE), margin=margin)


def unit_labels(viewer) -> dict[int, str]:
    """unit -> "unit 7: line position, r=+0.91": the feature find_cells matched the unit
    to on the picking passage, and their correlation on the passage shown, where the unit
    was not picked (its sign says whether H rises or falls with the feature)."""
    from rnnlab import units

    shown = viewer.traces["lstm"]
    labels = {}
    for feature, found in viewer.cells_found.items():
        for unit, _ in found:
            r = units.feature_correlation(shown, GATE, unit, feature)
            labels.setdefault(unit, f"unit {unit}: {feature.replace('_', ' ')}, r={r:+.2f}")
    return labels


def gate_heatmap_figure(models: dict) -> dict:
    from rnnlab import corpus
    from rnnlab.widgets import GateViewer

    shakespeare = corpus.load()
    # units picked on one held-out passage, shown (and their r measured) on another
    viewer = GateViewer(models=models, text=shakespeare.heldout_text(length=600, offset=120_000),
                        pick_on=shakespeare.heldout_text(length=2000))
    if viewer._gate.value != GATE:
        viewer._gate.value = GATE  # a private control; setting it redraws the heatmap
    if viewer.error:
        sys.exit(f"error: GateViewer: {viewer.error}")
    heat = viewer.heatmap
    x = heat.data[0].x
    title = HEATMAP_TITLE.format(first=x[0], last=x[-1])
    margin = {**heat.layout.margin.to_plotly_json(), "t": TITLE_TOP}
    spec = as_dict(heat, title=dict(text=title), margin=margin)
    labels = unit_labels(viewer)
    rows = [int(name.split()[-1]) for name in heat.data[0].y]  # "unit 7" -> 7
    spec["data"][0]["y"] = [labels.get(u, f"unit {u}") for u in rows]
    spec["data"][0]["colorbar"]["title"] = dict(text=GATE)
    spec["layout"]["yaxis"]["title"] = None  # each label already says "unit": room for text
    return spec


def html_page(spec: dict, script: Path) -> str:
    """A page that draws ``spec`` with the local plotly.js and sets window.drawn."""
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8">
<script src="{script.as_uri()}"></script>
<style>body {{ margin: 0; background: #FFFFFF; }}</style></head>
<body><div id="plot"></div>
<script>
const spec = {json.dumps(spec)};
Plotly.newPlot("plot", spec.data, spec.layout, {{staticPlot: true}})
  .then(() => {{ window.drawn = true; }});
</script></body></html>
"""


def render(browser, spec: dict, out: Path, workdir: Path) -> Path:
    """Screenshot ``spec`` drawn at WIDTH x its height into the PNG ``out``."""
    spec["layout"].update(width=WIDTH, paper_bgcolor="#FFFFFF")
    spec["layout"].setdefault("height", 380)
    page_file = workdir / f"{out.stem}.html"
    page_file.write_text(html_page(spec, plotly_js()), encoding="utf-8")
    page = browser.new_page(viewport={"width": WIDTH, "height": spec["layout"]["height"]},
                            device_scale_factor=SCALE)
    try:
        page.goto(page_file.as_uri())
        page.wait_for_function("window.drawn === true", timeout=60_000)
        page.locator("#plot").screenshot(path=str(out))
    finally:
        page.close()
    size = out.stat().st_size
    if size > MAX_BYTES:
        print(f"warning: {out} is {size} bytes, more than {MAX_BYTES}", file=sys.stderr)
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=IMG, help="folder to write to (img/)")
    args = parser.parse_args()
    require_chromium()
    from playwright.sync_api import sync_playwright

    models = load_models()
    specs = {"gradient_flow.png": gradient_flow_figure(models),
             "gate_heatmap.png": gate_heatmap_figure(models)}
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            for name, spec in specs.items():
                out = render(browser, spec, args.out / name, Path(tmp))
                print(f"wrote {out} ({out.stat().st_size // 1024} KB)")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
