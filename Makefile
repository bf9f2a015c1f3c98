# rnnlab: `make lab` opens the lessons, `make test` runs the test suite.
# Both create .venv when it is missing and install the kit with the versions the tests
# passed with (constraints.txt); run again, they only do what is not done yet.

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.rnnlab-installed
CORPUS := data/cache/shakespeare.txt
STAGE  := bash tools/stage.sh

.PHONY: setup lab test test-colab test-low screens wheel pretrained pretrained-matched lag-sweep results bench readme-figures protocol \
	corpus clean-venv

setup: $(STAMP) $(CORPUS)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else \
		"rnnlab needs Python >= 3.10; this is " + sys.version.split()[0] + \
		". Run make PYTHON=python3.11 ...")'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then \
		$(PY) -m pip install --quiet -c constraints.txt -e ".[dev]"; \
	else \
		echo "note: constraints.txt pins the Python 3.11 stack; installing by ranges"; \
		$(PY) -m pip install --quiet -e ".[dev]"; \
	fi
	@touch $(STAMP)

$(CORPUS): $(STAMP)
	$(PY) -m rnnlab fetch
	@touch $@

corpus: $(CORPUS)

# JupyterLab refuses to run as root unless told; containers often run as root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: setup
	$(VENV)/bin/jupyter lab $(ALLOW_ROOT) lessons/

STAGE_LOG := test-artifacts/make-test-stages.tsv

test: export RNNLAB_QUICK = 1
test: export STAGE_LOG := $(STAGE_LOG)
test:
	@rm -f $(STAGE_LOG)
	@$(STAGE) setup $(MAKE) --no-print-directory setup
	@$(STAGE) "lint (ruff, lessons included)" $(VENV)/bin/ruff check .
	@$(STAGE) "library tests" $(PY) -m pytest tests -q --durations=10 \
		--ignore=tests/test_widgets.py \
		--ignore=tests/test_every_control.py --ignore=tests/browser --ignore=tests/colab
	@$(STAGE) "widget tests (headless)" $(PY) -m pytest tests/test_widgets.py \
		tests/test_every_control.py -q --durations=5
	@$(STAGE) "lessons (nbval)" $(PY) -m pytest lessons -q -p no:cacheprovider --durations=7 \
		--nbval-lax --nbval-current-env --nbval-sanitize-with lessons/nbval_sanitize.cfg
	@$(STAGE) "browser tests (JupyterLab in Chromium)" $(PY) -m pytest tests/browser -q \
		-p no:cacheprovider --durations=10

# A screenshot of every view after Run All and after each control move, for a person to
# look at, in test-artifacts/screens/ (the browser tests that take them; make test does too).
screens: export RNNLAB_QUICK = 1
screens: setup
	@rm -rf test-artifacts/screens
	$(PY) -m pytest tests/browser/test_lessons_in_browser.py -q -p no:cacheprovider \
		-k "every_view_renders or every_control"
	@echo "screenshots: test-artifacts/screens/ ($$(ls test-artifacts/screens | wc -l) files)"

# Google Colab's stack (stacks/colab.txt) on Python 3.13, in .venv-colab: every lesson's
# setup cell without the kit, the widget tests, the lessons under Colab's display hook, and
# one lesson in classic Notebook 6.5.7 (tools/test_stack.sh says each step). The Python
# 3.13 interpreter: PYTHON313, else pyenv's, else python3.13 on PATH; none skips the target
# (fails under CI=true).
test-colab: export STAGE_LOG := test-artifacts/make-test-colab-stages.tsv
test-colab: setup
	@rm -f $(STAGE_LOG)
	@PYTHON313=$(PYTHON313) MAIN_PYTHON=$(PY) bash tools/test_stack.sh colab

# The oldest supported stack (stacks/py310-low.txt: every floor of pyproject.toml) on
# Python 3.10, in .venv-low: the library and widget tests. PYTHON310 as PYTHON313 above.
test-low: export STAGE_LOG := test-artifacts/make-test-low-stages.tsv
test-low: corpus
	@rm -f $(STAGE_LOG)
	@PYTHON310=$(PYTHON310) bash tools/test_stack.sh low

# The shipped models: rnnlab.pretrained names each (SHIPPED: kind, width, target) and
# the recipe they all train on (recipe(): two phases, 60M then 80M characters); `ship`
# trains them resumably (run it again after an interruption: finished phases are
# skipped) and writes rnnlab/weights/. `python -m rnnlab ship --list` says how long each
# shipped one trained on 2 CPU cores.
pretrained: setup
	$(PY) -m rnnlab ship rnn lstm

# The third: a vanilla RNN with as many parameters as the LSTM-256.
pretrained-matched: setup
	$(PY) -m rnnlab ship rnn-matched

# The memory sweep lesson 6 shows (rnnlab/results/memory_sweep.json): recall for six
# settings of the two kinds and the adding problem for both, 3 seeds per point. Resumable
# point by point (run it again after an interruption). The shipped sweep took 33 minutes on
# 2 CPU cores (its meta.seconds).
lag-sweep: setup
	$(PY) tools/lag_sweep.py

# The protocol (rnnlab/protocol.py): the learning-rate, seed, regime, depth and budget sweep
# that the shipped recipe is read from, scored on the validation split, into
# rnnlab/results/protocol.json. Resumable point by point (run it again to continue);
# about ten hours on a 2-core CPU, at the lowest priority. `tools/protocol.py --pause`
# and `--continue` hold it during a timing. PROTOCOL_ARGS="--commit --max-minutes 120".
protocol: setup corpus
	nice -n 19 $(PY) tools/protocol.py $(PROTOCOL_ARGS)

# The quicker results (a few minutes): the n-gram yardsticks and the loss by context
# length of the three shipped models (rnnlab/results/ngram_ladder.json, context_use.json).
results: setup corpus
	$(PY) tools/ngram_ladder.py
	$(PY) tools/context_use.py

# The README's two pictures (img/gradient_flow.png, img/gate_heatmap.png), drawn by the
# views themselves and photographed in the system's Chromium.
readme-figures: setup
	$(PY) tools/readme_figures.py

# Speed and quality figures in one table (about 10 minutes); not part of `make test`.
bench: setup
	$(PY) benchmarks/report.py

# The kit as one wheel, shipped weights and solutions included, in dist/: the other way
# into a Colab runtime when pip cannot reach the kit's repository (lessons/COLAB.md).
wheel: setup
	@rm -rf build dist/rnnlab-*.whl
	$(PY) -m pip wheel --quiet --no-deps --wheel-dir dist .
	@$(PY) -c 'import glob, os; [print(f"{p}: {os.path.getsize(p) / 1e6:.1f} MB") for p in glob.glob("dist/rnnlab-*.whl")]'

clean-venv:
	rm -rf $(VENV)
