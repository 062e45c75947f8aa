# Tongchuan overseas IP dispute assistant. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 2
RASA := $(PY) -m rasa

.PHONY: help install run run-cluster shell train test unit validate story-test e2e lint knowledge \
        bench-nlu bench-latency bench-load bench-knowledge bench-dialogues bench-wechat bench-widget sync-gazetteer clean

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): requirements.txt constraints.txt bot/scripts/make-venv.sh bot/scripts/system-packages.sh
	bot/scripts/make-venv.sh $(VENV)
	touch $@

install: $(STAMP) ## Create .venv from Python 3.10 and install the pinned dependencies

run: $(STAMP) ## Prepare database and model (training only if needed), serve on 127.0.0.1
	$(PY) -m bot run

run-cluster: $(STAMP) ## Two instances behind nginx on PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)
	$(PY) -m bot run-cluster

shell: $(STAMP) ## Chat with the assistant in the terminal
	$(PY) -m bot shell

train: $(STAMP) ## Train a model if data/, config.yml, domain.yml or bot/nlu changed
	$(PY) -m bot train

test: unit validate story-test e2e ## Everything CI runs: unit, data validation, test stories, end-to-end

unit: $(STAMP) lint ## Unit tests (no servers)
	$(PY) -m pytest -q -m "not e2e" tests

lint: $(STAMP) ## ruff and mypy
	$(VENV)/bin/ruff check bot actions knowledge tests
	$(VENV)/bin/mypy knowledge bot actions

validate: $(STAMP) ## rasa data validate, failing on any warning
	$(PY) -m tests.validate_data

story-test: train ## Rasa test stories against the trained model
	$(RASA) test core --stories tests/stories --fail-on-prediction-errors --out var/results

e2e: train ## End-to-end: real servers on free ports, spoken to over HTTP
	$(PY) -m pytest -q -m e2e tests

bench-nlu: train ## Intent/entity accuracy on the held-out set, against a TF-IDF baseline
	$(PY) -m tests.bench.nlu

bench-latency: train ## Latency percentiles and throughput of the running servers
	$(PY) -m tests.bench.latency

bench-load: train ## 32/64 conversations of mixed turns against Rasa's init bot (--cluster: ARGS=--cluster)
	$(PY) -m tests.bench.load $(ARGS)

bench-dialogues: train ## Scripts and turns passed of the blind dialogue set, through REST
	$(PY) -m tests.bench.dialogues

bench-knowledge: train ## hit@1/hit@3/MRR of the knowledge search, and answers through REST
	$(PY) -m tests.bench.knowledge

bench-wechat: train ## WeChat: passive-reply latency (safe mode) and turns under a retry storm
	$(PY) -m tests.bench.wechat

bench-widget: train ## Widget in Chromium: page load to ready, send to answer visible, script size
	$(PY) -m tests.bench.widget

knowledge: $(STAMP) ## Migrate the database, validate knowledge/library/content and load it
	$(PY) -m bot init-db

sync-gazetteer: $(STAMP) ## Regenerate the jieba dictionary and synonyms from the gazetteer
	$(PY) -m bot.nlu.gazetteer

clean: ## Remove models, var/ and caches (keeps .venv)
	rm -rf models var .rasa .pytest_cache .mypy_cache .ruff_cache
