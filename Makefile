# FIA Academy LMS. `make run` starts the platform, `make test` runs the tests.
# Both create .venv on first use and reinstall only when a requirements file changes.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1
# The installed-requirements stamp: named after the requirements files' checksum, so a
# change to either file triggers one reinstall and nothing else does.
REQ_HASH := $(shell cat requirements.txt requirements-dev.txt | sha256sum | cut -c1-16)
STAMP := $(VENV)/.installed-$(REQ_HASH)

.PHONY: run test test-e2e lint format bench fuzz migrate seed messages clean

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

migrate: $(STAMP)
	$(PY) manage.py migrate --no-input

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	$(VENV)/bin/uvicorn lms.asgi:application --host $(HOST) --port $(PORT) --lifespan off

# TEST_WORKERS: processes the tests are spread over (pytest-xdist), one per core unless set.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

test-e2e: $(STAMP)
	$(VENV)/bin/pytest tests/e2e $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# The hostile-input tests with many random examples (tests/conftest.py's "fuzz" profile):
# FUZZ_EXAMPLES per test, 5000 unless set; the statistics say how many ran and how long.
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(VENV)/bin/pytest tests/security/test_hostile_input.py \
	  -p no:cacheprovider --hypothesis-show-statistics $(PYTEST_ARGS)

bench: $(STAMP)
	$(PY) benchmarks/run.py $(BENCH_ARGS)

messages: $(STAMP)
	$(PY) manage.py makemessages --locale ur --ignore '.venv/*' --ignore 'staticfiles/*' --ignore 'test-artifacts/*'
	$(PY) manage.py compilemessages --locale ur --ignore '.venv/*'

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache
