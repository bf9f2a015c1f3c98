"""The kit's colours: one palette for the widgets and the diagrams, and the contrast rules.

Colours come from Okabe & Ito's set of eight, darkened where needed, plus greys and white.
A colour never carries meaning alone: every line, box and curve drawn with one is also
labelled, and series differ by dash or marker too.

Contrast follows WCAG 2.1 (https://www.w3.org/TR/WCAG21/): text at 4.5:1 or more against
what it is drawn on (success criterion 1.4.3), lines, markers and other graphical objects
at 3:1 or more against the page (1.4.11). ``contrast`` computes the ratio as WCAG defines
it, and the tests check every colour the views draw with it.
"""

from __future__ import annotations

import re

# Okabe, M. & Ito, K. (2008). Color Universal Design (CUD): how to make figures and
# presentations that are friendly to colorblind people. These eight colours stay
# distinguishable with the common colour-vision deficiencies.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

# The same hues, scaled towards black (each channel by one factor, so the hue stays)
# until they reach 3.2:1 on white: orange, sky blue and reddish purple are 2.3, 2.3 and
# 3.1 as Okabe & Ito give them, too pale for a line on white (WCAG 1.4.11 asks for 3:1).
# Yellow is left out of lines altogether.
ON_WHITE = {
    **OKABE_ITO,
    "orange": "#BF8400",
    "sky_blue": "#4897C4",
    "reddish_purple": "#C776A3",
}

# For text in a colour on white (4.5:1, WCAG 1.4.3): the same hues, darker still.
TEXT_ON_WHITE = {
    "orange": "#9C6C00",
    "sky_blue": "#3B7BA0",
    "reddish_purple": "#A26085",
    "bluish_green": "#008561",
    "vermillion": "#C05500",
    "blue": OKABE_ITO["blue"],
}

# Role -> colour, the names the whole kit uses.
PALETTE = {
    # models and reference curves (widgets and diagrams)
    "rnn": ON_WHITE["orange"],
    "lstm": ON_WHITE["blue"],
    "rnn-matched": ON_WHITE["vermillion"],  # the RNN with the LSTM's parameter count
    "toy": ON_WHITE["bluish_green"],
    "baseline": "#6E6E6E",
    "chance": "#6E6E6E",
    # the LSTM's gates, the same colour wherever a gate is drawn
    "gate_i": ON_WHITE["bluish_green"],
    "gate_f": ON_WHITE["blue"],
    "gate_o": ON_WHITE["reddish_purple"],
    "candidate": ON_WHITE["vermillion"],
    "cell_state": ON_WHITE["sky_blue"],  # drawn thick with a black edge
    # ink and paper
    "text": "#222222",
    "muted": "#555555",  # secondary text, forward-pass arrows
    "pass": TEXT_ON_WHITE["bluish_green"],  # an exercise's verdicts, as text
    "hint": TEXT_ON_WHITE["vermillion"],
    "error": "#B00020",
    "edge": "#000000",
    "frame": "#BBBBBB",  # decoration only (a box behind a group), never data
    "panel": "#F5F5F5",  # light fill behind a group
    "background": "#FFFFFF",
}

# the model names as text in their colour (a pane's heading), at 4.5:1 on white
MODEL_TEXT = {"rnn": TEXT_ON_WHITE["orange"], "lstm": TEXT_ON_WHITE["blue"],
              "rnn-matched": TEXT_ON_WHITE["vermillion"], "toy": TEXT_ON_WHITE["bluish_green"]}

TEXT_CONTRAST = 4.5  # WCAG 2.1 success criterion 1.4.3, normal text
GRAPHIC_CONTRAST = 3.0  # 1.4.11, graphical objects

_RGB = re.compile(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(?:,\s*[\d.]+\s*)?\)")


def rgb(colour: str) -> tuple[float, float, float]:
    """``"#RRGGBB"``, ``"#RGB"`` or ``"rgb(r, g, b)"`` (plotly's colour scales) as 0-255."""
    text = colour.strip()
    if text.startswith("#") and len(text) in (4, 7):
        digits = text[1:] if len(text) == 7 else "".join(c * 2 for c in text[1:])
        try:
            return tuple(float(int(digits[i:i + 2], 16)) for i in (0, 2, 4))
        except ValueError:
            pass
    match = _RGB.fullmatch(text)
    if match:
        return tuple(float(v) for v in match.groups())
    raise ValueError(f"colour: expected '#RRGGBB', '#RGB' or 'rgb(r, g, b)', got {colour!r}")


def luminance(colour: str) -> float:
    """WCAG's relative luminance: 0 for black, 1 for white."""
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(first: str, second: str) -> float:
    """WCAG's contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def ink_on(background: str) -> str:
    """Black or white, whichever reads better on ``background``. One of them always
    reaches 4.58:1 or more: the two ratios multiply to 21, so the larger is at least
    sqrt(21)."""
    black, white = "#000000", "#FFFFFF"
    return black if contrast(black, background) >= contrast(white, background) else white
