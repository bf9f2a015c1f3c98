"""The course's diagrams, drawn as SVG by plain Python in the kit's palette.

    from rnnlab import diagrams
    diagrams.lstm_cell()            # a cell ending with this shows the picture and its alt text
    diagrams.lstm_cell().save("lstm_cell.svg")

Lessons display diagrams from code because Colab cannot show a local image from a markdown
cell. Every diagram carries alt text (``Diagram.alt``), also inside the SVG as ``<desc>``.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from rnnlab.palette import PALETTE

FONT = "Helvetica, Arial, sans-serif"
MIN_FONT_SIZE = 13  # px: the smallest text, subscripts included, stays readable when projected
HEAD = 10  # px: length of an arrowhead

INK = PALETTE["text"]
MUTED = PALETTE["muted"]


@dataclass(frozen=True)
class Diagram:
    """One picture: ``svg`` to save or embed, ``alt`` to describe it to a reader who cannot see it.

    Ending a notebook cell with a Diagram shows it (JupyterLab, Notebook, Colab), with the alt
    text on the image and as the plain-text fallback.
    """

    name: str
    svg: str
    alt: str
    caption: str = ""

    def _repr_mimebundle_(self, include=None, exclude=None):
        data = base64.b64encode(self.svg.encode("utf-8")).decode("ascii")
        figure = (
            '<figure style="margin:0">'
            f'<img src="data:image/svg+xml;base64,{data}" alt="{html.escape(self.alt)}" '
            'style="max-width:100%;height:auto">'
            f'<figcaption style="font-family:{FONT};font-size:14px;color:{MUTED}">'
            f"{html.escape(self.caption)}</figcaption></figure>"
        )
        return {"text/html": figure, "text/plain": self.alt}

    def save(self, path) -> Path:
        """Write the SVG to ``path`` (UTF-8) and return the path."""
        path = Path(path)
        path.write_text(self.svg, encoding="utf-8")
        return path


# --- drawing primitives ------------------------------------------------------------------

_MARKUP = re.compile(r"([_^])\{([^}]*)\}")  # "H_{t−1}" subscript, "W^{T}" superscript


def _num(value: float) -> str:
    """A coordinate as short, stable text (the committed SVGs are compared byte for byte)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _attrs(**attrs) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, float):
            value = _num(value)
        parts.append(f'{key.rstrip("_").replace("_", "-")}="{html.escape(str(value))}"')
    return " ".join(parts)


@dataclass
class _Canvas:
    """Collects SVG elements; arrowheads are markers defined once per colour."""

    name: str
    width: int
    height: int
    parts: list = field(default_factory=list)
    markers: dict = field(default_factory=dict)  # colour -> marker id

    def _marker(self, colour: str) -> str:
        if colour not in self.markers:
            self.markers[colour] = f"{self.name}-head-{colour.lstrip('#').lower()}"
        return self.markers[colour]

    def add(self, tag: str, content: str | None = None, **attrs) -> None:
        opening = f"<{tag} {_attrs(**attrs)}"
        self.parts.append(f"{opening}/>" if content is None else f"{opening}>{content}</{tag}>")

    def rect(self, cx, cy, w, h, stroke, fill=None, fill_opacity=None, width=2.0, rx=8):
        """A box centred on (cx, cy)."""
        self.add("rect", x=float(cx - w / 2), y=float(cy - h / 2), width=float(w),
                 height=float(h), rx=rx, fill=fill or PALETTE["background"],
                 fill_opacity=fill_opacity, stroke=stroke, stroke_width=float(width))

    def circle(self, cx, cy, r, stroke, fill=None, width=2.0):
        self.add("circle", cx=float(cx), cy=float(cy), r=float(r),
                 fill=fill or PALETTE["background"], stroke=stroke, stroke_width=float(width))

    def line(self, points, colour, width=2.0, arrow=True, opacity=None):
        """A polyline through ``points``; with ``arrow`` its head's tip lands on the last point."""
        points = [tuple(map(float, p)) for p in points]
        if arrow:  # stop the line where the head starts, so its end does not poke out
            (x0, y0), (x1, y1) = points[-2], points[-1]
            length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
            points[-1] = (x1 - (x1 - x0) * HEAD / length, y1 - (y1 - y0) * HEAD / length)
        self.add("polyline", points=" ".join(f"{_num(x)},{_num(y)}" for x, y in points),
                 fill="none", stroke=colour, stroke_width=float(width),
                 stroke_linejoin="round", stroke_opacity=opacity,
                 marker_end=f"url(#{self._marker(colour)})" if arrow else None)

    def block_arrow(self, x_tail, x_tip, y, thickness, colour, opacity=None):
        """A wide horizontal arrow whose shaft is ``thickness`` px: its width shows a size."""
        direction = 1 if x_tip > x_tail else -1
        head = max(14.0, thickness * 1.3)
        half, half_head = thickness / 2, max(thickness, 10.0)
        neck = x_tip - direction * head
        points = [(x_tail, y - half), (neck, y - half), (neck, y - half_head), (x_tip, y),
                  (neck, y + half_head), (neck, y + half), (x_tail, y + half)]
        self.add("polygon", points=" ".join(f"{_num(x)},{_num(y)}" for x, y in points),
                 fill=colour, fill_opacity=opacity)

    def text(self, x, y, markup, size=16, anchor="middle", colour=INK, weight=None):
        """Text with ``_{sub}`` and ``^{sup}`` markup, e.g. ``"W_{hh}^{T}"``."""
        small = max(MIN_FONT_SIZE, round(size * 0.75))
        shifts = {"_": round(size * 0.3), "^": -round(size * 0.4)}
        pieces, offset, start = [], 0, 0
        for match in _MARKUP.finditer(markup):
            pieces.append((markup[start:match.start()], 0, size))
            pieces.append((match.group(2), shifts[match.group(1)], small))
            start = match.end()
        pieces.append((markup[start:], 0, size))
        spans = []
        for chunk, shift, chunk_size in pieces:
            if not chunk:
                continue
            dy = shift - offset
            offset = shift
            size_attr = f' font-size="{chunk_size}"' if chunk_size != size else ""
            dy_attr = f' dy="{dy}"' if dy else ""
            if size_attr or dy_attr:
                spans.append(f"<tspan{dy_attr}{size_attr}>{html.escape(chunk)}</tspan>")
            else:
                spans.append(html.escape(chunk))
        self.add("text", "".join(spans), x=float(x), y=float(y), font_size=size,
                 text_anchor=anchor, fill=colour, font_weight=weight)

    def svg(self, title: str, desc: str) -> str:
        markers = "".join(
            f'<marker id="{marker}" viewBox="0 0 10 10" refX="0" refY="5" '
            f'markerWidth="{HEAD}" markerHeight="{HEAD}" markerUnits="userSpaceOnUse" '
            f'orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
            for colour, marker in self.markers.items()
        )
        head = (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {self.width} {self.height}" '
            f'width="{self.width}" height="{self.height}" role="img" '
            f'aria-labelledby="{self.name}-title {self.name}-desc" '
            f'font-family="{FONT}">'
        )
        lines = [
            head,
            f'<title id="{self.name}-title">{html.escape(title)}</title>',
            f'<desc id="{self.name}-desc">{html.escape(desc)}</desc>',
            f"<defs>{markers}</defs>",
            f'<rect width="100%" height="100%" fill="{PALETTE["background"]}"/>',
            *self.parts,
            "</svg>",
        ]
        return "\n".join(lines) + "\n"


def _diagram(canvas: _Canvas, caption: str, alt: str) -> Diagram:
    return Diagram(name=canvas.name, svg=canvas.svg(caption, alt), alt=alt, caption=caption)


def _operator(canvas: _Canvas, cx, cy, symbol: str, r=16) -> None:
    """A pointwise operation on the paths: "×" (elementwise product) or "+"."""
    canvas.circle(cx, cy, r, stroke=PALETTE["edge"], width=2.0)
    canvas.text(cx, cy + 7, symbol, size=20)


# --- the vanilla RNN, folded and unrolled -----------------------------------------------

RNN_INPUTS = "To b"  # the inputs X_1..X_4; each step predicts the next character of "To be"
RNN_TARGETS = "o be"


def _shown(ch: str) -> str:
    return "␣" if ch == " " else ch


def _rnn_step(canvas: _Canvas, cx, input_markup, input_label, target, cell_markup) -> None:
    """One column: input below, the hidden state, the logits above; arrows labelled."""
    colour = PALETTE["rnn"]
    canvas.text(cx, 50, target, size=14, colour=MUTED)
    canvas.rect(cx, 84, 70, 34, stroke=MUTED)
    canvas.text(cx, 90, "logits", size=15)
    canvas.line([(cx, 150), (cx, 101)], INK)
    canvas.text(cx + 7, 131, "W_{hq}", size=15, anchor="start")
    canvas.rect(cx, 175, 70, 50, stroke=colour, fill=colour, fill_opacity=0.18, width=2.5)
    canvas.text(cx, 182, cell_markup, size=19, weight="bold")
    canvas.line([(cx, 252), (cx, 200)], INK)
    canvas.text(cx + 7, 231, "W_{xh}", size=15, anchor="start")
    canvas.rect(cx, 269, 44, 34, stroke=MUTED)
    canvas.text(cx, 276, input_markup, size=18)
    if input_label:
        canvas.text(cx, 310, input_label, size=15, colour=MUTED)


def unrolled_rnn() -> Diagram:
    """The vanilla RNN folded (one cell with a loop) and unrolled over four time steps."""
    canvas = _Canvas("unrolled_rnn", 790, 410)
    canvas.text(70, 22, "folded", size=15, colour=MUTED)
    canvas.text(535, 22, "unrolled over 4 time steps", size=15, colour=MUTED)

    _rnn_step(canvas, 65, "X_{t}", "", "next character", "H_{t}")
    # the loop: H_{t-1} comes back into the cell through W_hh
    canvas.line([(100, 190), (130, 190), (130, 160), (100, 160)], INK)
    canvas.text(137, 181, "W_{hh}", size=15, anchor="start")
    canvas.text(207, 185, "=", size=30)

    centres = [335, 465, 595, 725]
    canvas.text(247, 182, "H_{0}", size=17)
    canvas.line([(264, 175), (300, 175)], INK)
    for step, (cx, x_char, target) in enumerate(zip(centres, RNN_INPUTS, RNN_TARGETS), 1):
        _rnn_step(canvas, cx, _shown(x_char), f"X_{{{step}}}", f"next: {_shown(target)}",
                  f"H_{{{step}}}")
        if step < len(centres):
            canvas.line([(cx + 35, 175), (centres[step] - 35, 175)], INK)
            canvas.text((cx + centres[step]) / 2, 167, "W_{hh}", size=15)
    canvas.line([(760, 175), (785, 175)], INK)

    # two texts: SVG collapses a run of spaces into one
    canvas.text(430, 350, "H_{t} = tanh(X_{t} W_{xh} + H_{t−1} W_{hh} + b_{h})", size=17,
                anchor="end")
    canvas.text(480, 350, "logits_{t} = H_{t} W_{hq} + b_{q}", size=17, anchor="start")
    canvas.text(395, 385, "The same weights W_{xh}, W_{hh}, W_{hq} are used at every step.",
                size=15, colour=MUTED)
    alt = (
        "A vanilla RNN drawn two ways. On the left, folded: one cell H_t takes the input X_t "
        "from below through the weights W_xh, feeds its own state back into itself through "
        "a loop labelled W_hh, and sends H_t up through W_hq to the logits of the next "
        "character. An equals sign leads to the same network unrolled over four time steps: "
        "the characters T, o, space and b enter from below as X_1 to X_4, the hidden states "
        "H_1 to H_4 pass from left to right through W_hh starting from H_0, and above each "
        "state the logits predict the next character: o, space, b, e. "
        "Below: H_t = tanh(X_t W_xh + H_(t-1) W_hh + b_h) and logits_t = H_t W_hq + b_q, "
        "with the same weights at every step."
    )
    return _diagram(canvas, "A vanilla RNN, folded and unrolled over four time steps", alt)


# --- one LSTM cell ------------------------------------------------------------------------

# gate -> (centre x, name in the box, function, output label, palette role)
LSTM_GATES = {
    "F": (200, "forget", "σ", "F_{t}", "gate_f"),
    "I": (310, "input", "σ", "I_{t}", "gate_i"),
    "C~": (420, "candidate", "tanh", "C̃_{t}", "candidate"),
    "O": (540, "output", "σ", "O_{t}", "gate_o"),
}
BELT_Y, GATE_Y, BUS_Y = 88, 272, 350  # the cell state, the gates, the [H_{t-1}, X_t] bus


def _cell_state_path(canvas: _Canvas, x0, x1, y) -> None:
    """The conveyor belt: a thick line with a black edge, so it reads on white."""
    canvas.line([(x0, y), (x1, y)], PALETTE["edge"], width=11, arrow=False)
    canvas.line([(x0, y), (x1, y)], PALETTE["cell_state"], width=7, arrow=False)
    canvas.add("polygon", points=f"{x1},{y - 12} {x1 + 20},{y} {x1},{y + 12}",
               fill=PALETTE["edge"])


def _gate(canvas: _Canvas, gate: str) -> None:
    cx, name, function, _, role = LSTM_GATES[gate]
    colour = PALETTE[role]
    canvas.rect(cx, GATE_Y, 86, 52, stroke=colour, fill=colour, fill_opacity=0.18, width=2.5)
    canvas.text(cx, GATE_Y - 6, name, size=14)
    canvas.text(cx, GATE_Y + 17, function, size=18, weight="bold")
    canvas.line([(cx, BUS_Y), (cx, GATE_Y + 26)], INK)


def _equation(canvas: _Canvas, x, y, markup, role=None) -> None:
    """One equation; a gate's equation starts with a swatch of that gate's colour."""
    if role:
        colour = PALETTE[role]
        canvas.rect(x + 7, y - 6, 14, 14, stroke=colour, fill=colour, width=1.0, rx=2)
    canvas.text(x + 22, y, markup, size=16, anchor="start")


def lstm_cell() -> Diagram:
    """One LSTM cell: the cell state across the top, the gates below it, the equations."""
    canvas = _Canvas("lstm_cell", 790, 580)
    canvas.rect(420, 222, 560, 366, stroke=PALETTE["frame"], fill=PALETTE["panel"], rx=14)

    canvas.text(45, BELT_Y + 6, "C_{t−1}", size=18)
    _cell_state_path(canvas, 72, 720, BELT_Y)
    canvas.text(760, BELT_Y + 6, "C_{t}", size=18)
    canvas.text(510, BELT_Y - 20, "cell state C: the conveyor belt", size=15)

    # the bus: H_{t-1} and X_t, joined, feed every gate
    canvas.text(45, BUS_Y + 6, "H_{t−1}", size=18)
    canvas.line([(72, BUS_Y), (540, BUS_Y)], INK, arrow=False)
    canvas.line([(110, 425), (110, BUS_Y)], INK, arrow=False)
    canvas.circle(110, BUS_Y, 4, stroke=INK, fill=INK)
    canvas.text(110, 447, "X_{t}", size=18)
    canvas.text(330, BUS_Y + 28, "[H_{t−1}, X_{t}]", size=15, colour=MUTED)
    for gate in LSTM_GATES:
        _gate(canvas, gate)

    # forget: C_{t-1} × F_t
    f_x, i_x, c_x, o_x = (LSTM_GATES[g][0] for g in ("F", "I", "C~", "O"))
    canvas.line([(f_x, GATE_Y - 26), (f_x, BELT_Y + 16)], PALETTE["gate_f"], width=2.5)
    canvas.text(f_x - 8, 185, "F_{t}", size=17, anchor="end")
    # write: + I_t × C~_t
    mix_x, mix_y = (i_x + c_x) / 2, 180
    canvas.line([(i_x, GATE_Y - 26), (i_x, mix_y), (mix_x - 16, mix_y)], PALETTE["gate_i"],
                width=2.5)
    canvas.text(i_x - 8, 222, "I_{t}", size=17, anchor="end")
    canvas.line([(c_x, GATE_Y - 26), (c_x, mix_y), (mix_x + 16, mix_y)], PALETTE["candidate"],
                width=2.5)
    canvas.text(c_x + 8, 222, "C̃_{t}", size=17, anchor="start")
    canvas.line([(mix_x, mix_y - 16), (mix_x, BELT_Y + 16)], INK)
    _operator(canvas, f_x, BELT_Y, "×")
    _operator(canvas, mix_x, BELT_Y, "+")
    _operator(canvas, mix_x, mix_y, "×")

    # read: H_t = O_t × tanh(C_t)
    out_x = 650
    canvas.circle(out_x, BELT_Y, 4, stroke=INK, fill=INK)
    canvas.line([(out_x, BELT_Y), (out_x, 162)], INK)
    canvas.rect(out_x, 180, 62, 36, stroke=INK)
    canvas.text(out_x, 186, "tanh", size=16)
    canvas.line([(out_x, 198), (out_x, GATE_Y - 16)], INK)
    canvas.line([(o_x + 43, GATE_Y), (out_x - 16, GATE_Y)], PALETTE["gate_o"], width=2.5)
    canvas.text((o_x + 43 + out_x - 16) / 2, GATE_Y - 8, "O_{t}", size=17)
    _operator(canvas, out_x, GATE_Y, "×")
    canvas.line([(out_x + 16, GATE_Y), (735, GATE_Y)], INK)
    canvas.text(760, GATE_Y + 6, "H_{t}", size=18)

    rows = [
        ("F_{t} = σ(X_{t} W_{xf} + H_{t−1} W_{hf} + b_{f})", "gate_f"),
        ("I_{t} = σ(X_{t} W_{xi} + H_{t−1} W_{hi} + b_{i})", "gate_i"),
        ("C̃_{t} = tanh(X_{t} W_{xc} + H_{t−1} W_{hc} + b_{c})", "candidate"),
        ("O_{t} = σ(X_{t} W_{xo} + H_{t−1} W_{ho} + b_{o})", "gate_o"),
    ]
    for k, (markup, role) in enumerate(rows):
        _equation(canvas, 20 + 385 * (k % 2), 480 + 30 * (k // 2), markup, role)
    _equation(canvas, 20, 540, "C_{t} = F_{t} ⊙ C_{t−1} + I_{t} ⊙ C̃_{t}")
    _equation(canvas, 405, 540, "H_{t} = O_{t} ⊙ tanh(C_{t})")
    canvas.text(395, 570, "× and ⊙: elementwise product;  +: sum;  σ: sigmoid, in (0, 1)",
                size=14, colour=MUTED)

    alt = (
        "One LSTM cell. Across the top runs the cell state, a thick line like a conveyor belt, "
        "from C_(t-1) on the left to C_t on the right. On it, C_(t-1) is first multiplied "
        "elementwise by the forget gate F_t, then I_t times the candidate C~_t is added. "
        "Below, four boxes read the previous hidden state H_(t-1) joined with the input X_t: "
        "the forget gate F (sigmoid), the input gate I (sigmoid), the candidate C~ (tanh) and "
        "the output gate O (sigmoid). On the right, C_t passes through tanh and is multiplied "
        "by O_t to give the new hidden state H_t. The equations are listed below: "
        "C_t = F_t * C_(t-1) + I_t * C~_t and H_t = O_t * tanh(C_t), each gate being a "
        "sigmoid (the candidate a tanh) of X_t W_x + H_(t-1) W_h + b."
    )
    return _diagram(canvas, "One LSTM cell: gates and the cell state", alt)


# --- the gradient back through time, RNN vs LSTM ----------------------------------------

NODE_X = (90, 250, 410, 570)  # states at t-3 .. t; the loss sits at LOSS_X
LOSS_X = 715
STATE_STEPS = ("t−3", "t−2", "t−1", "t")


def _gradient_row(canvas: _Canvas, top, title, state, colour, thicknesses, opacities, labels):
    """A row of states with the forward pass (grey) and the gradient going back (coloured)."""
    canvas.text(20, top, title, size=17, anchor="start", weight="bold")
    node_y, grad_y = top + 45, top + 100
    for x, step in zip(NODE_X, STATE_STEPS):
        canvas.rect(x, node_y, 78, 44, stroke=colour, fill=colour, fill_opacity=0.18, width=2.5)
        canvas.text(x, node_y + 7, f"{state}_{{{step}}}", size=18, weight="bold")
    canvas.rect(LOSS_X, node_y, 78, 44, stroke=INK)
    canvas.text(LOSS_X, node_y + 6, "loss L", size=16)
    ends = (*NODE_X, LOSS_X)
    for a, b in zip(ends, ends[1:]):
        canvas.line([(a + 39, node_y), (b - 39, node_y)], MUTED, width=2.0)
    # gradient arrows, from the loss back to the oldest state
    for k, (thickness, opacity, label) in enumerate(zip(thicknesses, opacities, labels)):
        tail, tip = ends[-1 - k], ends[-2 - k]
        canvas.block_arrow(tail - 12, tip + 12, grad_y, thickness, colour, opacity)
        canvas.text((tail + tip) / 2, grad_y + 37, label, size=15)


def gradient_paths() -> Diagram:
    """The gradient back through time: a chain of Jacobians (RNN) vs the cell state (LSTM)."""
    canvas = _Canvas("gradient_paths", 790, 552)
    canvas.text(395, 24, "grey arrows: the forward pass;  coloured arrows: the gradient "
                "going back, the wider the larger", size=14, colour=MUTED)

    step_rnn = "× diag(tanh′) W_{hh}^{T}"
    _gradient_row(
        canvas, 60, "Vanilla RNN: every step back goes through tanh′ and W_{hh}", "H",
        PALETTE["rnn"], thicknesses=(18, 10, 5.5, 3), opacities=(1.0, 0.8, 0.6, 0.45),
        labels=("∂L/∂H_{t}", step_rnn, step_rnn, step_rnn),
    )
    canvas.text(20, 235, "Each step back multiplies by the Jacobian ∂H_{t}/∂H_{t−1} = "
                "diag(1 − H_{t}^{2}) W_{hh}^{T}  (tanh′ = 1 − tanh²).", size=15, anchor="start")
    canvas.text(20, 257, "Over many steps their product vanishes if their norms stay below 1, "
                "and it can explode only", size=15, anchor="start")
    canvas.text(20, 279, "if they exceed 1 (Pascanu et al., 2013). Even then it need not: a "
                "norm is only the largest stretch", size=15, anchor="start")
    canvas.text(20, 301, "a factor can give, and the gradient can miss it (lesson 3 measures "
                "the trained RNN).", size=15, anchor="start")

    _gradient_row(
        canvas, 337, "LSTM: along the cell state, each step back multiplies by F only", "C",
        PALETTE["lstm"], thicknesses=(18, 14, 11, 8.5), opacities=(1.0, 0.9, 0.8, 0.7),
        labels=("∂L/∂C_{t}", "⊙ F_{t}", "⊙ F_{t−1}", "⊙ F_{t−2}"),
    )
    canvas.text(20, 512, "Direct path: ∂C_{t}/∂C_{t−1} = diag(F_{t}), from C_{t} = F_{t} ⊙ "
                "C_{t−1} + I_{t} ⊙ C̃_{t}: no tanh′, no W_{hh}.", size=15, anchor="start")
    canvas.text(20, 534, "At F = 1 (1997) nothing fades; with a forget gate (2000) it fades "
                "wherever F < 1.", size=15, anchor="start")

    alt = (
        "Two rows compare how the gradient of the loss flows back through time. "
        "Top row, vanilla RNN: hidden states H_(t-3) to H_t feed forward to the loss L; "
        "the gradient dL/dH_t goes back from the loss and, at every step back, is multiplied "
        "by the Jacobian diag(tanh') W_hh transposed, drawn as an arrow that gets thinner "
        "and fainter with each step: while the Jacobians' norms stay below 1 the product "
        "vanishes, and it can explode only if they exceed 1, though norms above 1 do not by "
        "themselves make it explode. Bottom row, LSTM: the gradient "
        "goes back along "
        "the cell states C_(t-3) to C_t, multiplied at each step only by the forget gate "
        "(F_t, F_(t-1), F_(t-2)), since "
        "the direct path dC_t/dC_(t-1) = diag(F_t); the arrow thins too: with F = 1, as "
        "in the 1997 LSTM, nothing would fade; the forget gate of 2000 lets F fall below "
        "1, and wherever it does the gradient fades along C as well."
    )
    return _diagram(canvas, "The gradient back through time: vanilla RNN and LSTM", alt)


ALL = (unrolled_rnn, lstm_cell, gradient_paths)


def show(name: str) -> Diagram:
    """The diagram called ``name`` (one of ``names()``), ready to display at the end of a cell."""
    for draw in ALL:
        if draw.__name__ == name:
            return draw()
    raise ValueError(f"no diagram called {name!r}; the diagrams are: {', '.join(names())}")


def names() -> tuple[str, ...]:
    return tuple(draw.__name__ for draw in ALL)
