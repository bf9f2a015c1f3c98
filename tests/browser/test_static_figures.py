"""The HTML that use_static() figures are drawn with, in Chromium without any notebook:
what Colab's output frame is (no RequireJS, plotly.js from plotly's CDN)."""

from __future__ import annotations

from pathlib import Path

import plotly
import pytest

from rnnlab.widgets._base import StaticFigure, plot_html

CDN = "https://cdn.plot.ly/"
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    yield page
    page.close()


def figure_html() -> str:
    figure = StaticFigure()
    figure.add_bar(x=["a", "b", "c"], y=[0.5, 0.3, 0.2], name="bars")
    return figure.bundle()["text/html"]


def test_static_html_loads_plotly_js_and_draws(page):
    page.route(f"{CDN}**", lambda route: route.fulfill(path=str(PLOTLY_JS),
                                                     content_type="text/javascript"))
    page.set_content(f"<html><body>{figure_html()}</body></html>")
    plot = page.locator(".js-plotly-plot")
    plot.locator(".bars path").first.wait_for(timeout=30_000)
    assert page.evaluate("() => typeof window.requirejs") == "undefined"  # Colab's case
    drawn = page.evaluate("() => Array.from(document.querySelector('.js-plotly-plot').data,"
                          " t => Array.from(t.y))")
    assert drawn == [[0.5, 0.3, 0.2]]
    assert plot.locator(".bars path").count() == 3


def test_static_html_says_so_when_plotly_js_cannot_load(page):
    page.route(f"{CDN}**", lambda route: route.abort())
    page.set_content(f"<html><body>{figure_html()}</body></html>")
    message = page.get_by_text("This figure needs plotly.js from")
    message.wait_for(timeout=30_000)
    assert page.locator(".js-plotly-plot").count() == 0


def test_plot_html_draws_with_this_plotly_release():
    html = plot_html('{"data": [], "layout": {}}')
    assert f"plotly-{plotly.offline.get_plotlyjs_version()}.min" in html
