# The two quick-start commands are `make run` and `make test`; both build .venv themselves.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/lock.txt

.PHONY: run test test-study lint format bench lock migrations-check deploy-check clean

$(BIN)/activate: $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	touch $(BIN)/activate

## Set up and serve the platform with its demo networks, a Celery worker and beat.
run: $(BIN)/activate
	$(BIN)/python manage.py preflight
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py load_demo
	$(BIN)/python manage.py replay_year --all --if-empty --scale 0.1
	$(BIN)/python manage.py collectstatic --no-input --verbosity 0
	@echo "Serving on http://127.0.0.1:$${WEB_PORT:-8000} (demo logins in README.md; Ctrl-C stops all)"
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

## Run the test suite on PostgreSQL and Redis: DATABASE_URL and REDIS_URL, else the local ones.
# The suite tests PostgreSQL's triggers, indexes and locks, so it does not fall back to SQLite.
# One worker per core, each with its own test database; a module stays on one worker, so
# its shared world is built once. The studies' figures need a full replayed year: test-study.
test test-study: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/brokerage
test test-study: export REDIS_URL ?= redis://127.0.0.1:6379/0
test: $(BIN)/activate
	$(BIN)/pytest -n auto --dist loadfile -m "not study_figures"

## Replay the demo networks' year at full volume and check it against the studies' figures.
test-study: $(BIN)/activate
	$(BIN)/pytest tests/brokerage/test_replay.py

lint: $(BIN)/activate
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/activate
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(BIN)/activate
	$(BIN)/python -m bench

migrations-check: $(BIN)/activate
	$(BIN)/python manage.py makemigrations --check --dry-run

deploy-check: $(BIN)/activate
	DJANGO_SETTINGS_MODULE=brokerage.settings.production \
	SECRET_KEY=$${SECRET_KEY:-deploy-check-$$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')} \
	TRUSTED_PROXY_COUNT=$${TRUSTED_PROXY_COUNT:-1} \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

## Re-resolve the pinned, hashed dependencies after editing pyproject.toml.
lock: $(BIN)/activate
	$(BIN)/pip-compile --quiet --extra dev --generate-hashes --strip-extras --allow-unsafe \
		-o $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
