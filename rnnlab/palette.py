"""The kit's colours: one palette for the widgets and the diagrams.

Colours come from Okabe & Ito's set of eight, plus greys and white. A colour never
carries meaning alone: every line, box and curve drawn with one is also labelled.
"""

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

# Role -> colour, the names the whole kit uses.
PALETTE = {
    # models and reference curves (widgets and diagrams)
    "rnn": OKABE_ITO["orange"],
    "lstm": OKABE_ITO["blue"],
    "rnn-matched": OKABE_ITO["vermillion"],  # the RNN with the LSTM's parameter count
    "toy": OKABE_ITO["bluish_green"],
    "baseline": "#777777",
    "chance": "#777777",
    # the LSTM's gates, the same colour wherever a gate is drawn
    "gate_i": OKABE_ITO["bluish_green"],
    "gate_f": OKABE_ITO["blue"],
    "gate_o": OKABE_ITO["reddish_purple"],
    "candidate": OKABE_ITO["vermillion"],
    "cell_state": OKABE_ITO["sky_blue"],  # drawn thick with a black edge, so it reads on white
    # ink and paper
    "text": "#222222",
    "muted": "#555555",  # secondary text, forward-pass arrows
    "edge": "#000000",
    "frame": "#BBBBBB",
    "panel": "#F5F5F5",  # light fill behind a group
    "background": "#FFFFFF",
}
