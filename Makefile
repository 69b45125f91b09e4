# The two commands a newcomer needs: `make run` and `make test`. Everything else is their parts.
SHELL := /bin/bash
PYTHON ?= $(shell scripts/find-python 3.11)
PYTHON_NLU ?= $(shell scripts/find-python 3.10 3.10)
VENV := .venv
VENV_NLU := .venv-nlu
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# pip's errors only: the machine's pip configuration may print pages of harmless warnings.
PIP_QUIET := --quiet --quiet --disable-pip-version-check
# Each install holds a lock (var/.venv*.lock): `make run` and `make test` started together in a
# fresh clone install one after the other, never into each other.

.PHONY: run test setup nlu-env model lint pytest chat clean catalogue-check

# The bot starts as soon as its own environment is installed; Rasa's environment, the model
# and the NLU server follow in the background, and the bot switches to them (scripts/run-all).
run: $(VENV)/.installed ## the bot at once, the NLU server when ready (Ctrl-C stops both)
	scripts/run-all

# Lint and the tests that need no model run while Rasa installs and the model trains (scripts/test-all).
test: $(VENV)/.installed ## set everything up, check the code, run the whole test suite
	PYTEST_ARGS="$(PYTEST_ARGS)" scripts/test-all

setup: $(VENV)/.installed nlu-env

nlu-env: $(VENV_NLU)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt requirements.lock
	@test -n "$(PYTHON)" || { echo "Python >= 3.11 is needed for the bot" >&2; exit 1; }
	@mkdir -p var
	flock var/.venv.lock sh -c '$(PYTHON) -m venv $(VENV) && $(VENV)/bin/pip install $(PIP_QUIET) -r requirements-dev.txt -c requirements.lock'
	@touch $@

$(VENV_NLU)/.installed: nlu/requirements.txt nlu/constraints.txt
	@test -n "$(PYTHON_NLU)" || { echo "Python 3.10 is needed for Rasa (the NLU server)" >&2; exit 1; }
	@mkdir -p var
	flock var/.venv-nlu.lock sh -c '$(PYTHON_NLU) -m venv $(VENV_NLU) && $(VENV_NLU)/bin/pip install $(PIP_QUIET) -r nlu/requirements.txt -c nlu/constraints.txt'
	@touch $@

model: setup ## train the NLU model if its data or config changed
	$(PY) -m nlu train

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

# pytest exits 5 when it collected no test: that must fail, not pass silently.
pytest: $(VENV)/.installed
	$(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; exit $$rc

# Figures that go blank within 30 days (exit 1 when a fee, time or place does), unconfirmed ones,
# and the office's empty fields; CI runs it so that a legal cliff is seen a month ahead.
catalogue-check: $(VENV)/.installed
	$(PY) -m bot catalogue-check --within 30

chat: model
	$(PY) -m bot chat --demo

clean:
	rm -rf $(VENV) $(VENV_NLU) models var .mypy_cache .ruff_cache .pytest_cache
