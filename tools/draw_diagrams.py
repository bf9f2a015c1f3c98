"""Write every diagram of rnnlab.diagrams to img/<name>.svg.

    .venv/bin/python tools/draw_diagrams.py

Run it after changing rnnlab/diagrams.py or rnnlab/palette.py; a test checks that the
committed files equal what the functions draw.
"""

import argparse
from pathlib import Path

from rnnlab import diagrams

IMG = Path(__file__).resolve().parents[1] / "img"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=IMG, help="folder to write to (img/)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for draw in diagrams.ALL:
        diagram = draw()
        print(diagram.save(args.out / f"{diagram.name}.svg"))


if __name__ == "__main__":
    main()
