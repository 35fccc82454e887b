# ckanext-pida: the two commands of the README, and their parts.
#   make demo   install, start PostgreSQL/Redis/Solr, initialise and serve the demo portals and the hub
#   make test   install, start the services, run the whole test suite against them
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install services test demo stop status clean

$(STAMP): setup.py requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "python3 (3.10+) is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip wheel setuptools
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/pip install -q -e .
	@touch $(STAMP)

install: $(STAMP)

services: install
	scripts/services.sh start

test: services
	$(BIN)/python -m pytest --ckan-ini=test.ini tests $(PYTEST_ARGS)

demo: services
	scripts/demo.sh start

stop:
	-scripts/demo.sh stop
	scripts/services.sh stop

status:
	scripts/services.sh status
	scripts/demo.sh status

clean: stop
	rm -rf $(VENV) .cache
