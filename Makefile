# ckanext-pida: the two commands of the README, and their parts.
#   make demo   install, start PostgreSQL/Redis/Solr, initialise and serve the demo portals and the hub
#   make test   install, start the services, run the whole test suite against them
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# CKAN 2.11 is tested too, in a venv of its own, against a database, a Solr core, a Redis database, a site id (so
# harvest queues named apart) and a storage folder (uploads, web assets) of its own: CI runs it beside 2.12.
VENV_211 := .venv-ckan2.11
STAMP_211 := $(VENV_211)/.installed
ENV_211 := CKAN_SQLALCHEMY_URL=postgresql://ckan_default:pass@127.0.0.1:5432/ckan_test_211 \
	CKAN_SOLR_URL=http://127.0.0.1:8983/solr/ckan_test_211 CKAN_REDIS_URL=redis://127.0.0.1:6379/2 \
	CKAN_STORAGE_PATH=$(CURDIR)/.cache/test-storage-211 CKAN_SITE_ID=pida-test-211 PIDA_REMOTE_CKAN=ckan_remote_211

.PHONY: install install-ckan2.11 services browser test test-ckan2.11 demo stop status clean

$(STAMP): setup.py requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "python3 (3.10+) is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -U pip wheel setuptools
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/pip install -q -e .
	@touch $(STAMP)

install: $(STAMP)

$(STAMP_211): setup.py requirements-dev.txt
	$(PYTHON) -m venv $(VENV_211)
	$(VENV_211)/bin/pip install -q -U pip wheel setuptools
	sed 's/^ckan\[requirements\]==.*/ckan[requirements]==2.11.6/' requirements-dev.txt > $(VENV_211)/requirements.txt
	$(VENV_211)/bin/pip install -q -r $(VENV_211)/requirements.txt
	$(VENV_211)/bin/pip install -q -e .
	@touch $(STAMP_211)

install-ckan2.11: $(STAMP_211)

services: install
	scripts/services.sh start

browser:
	scripts/services.sh browser

test: services browser
	$(BIN)/python -m pytest --ckan-ini=test.ini tests $(PYTEST_ARGS)

test-ckan2.11: services browser $(STAMP_211)
	scripts/services.sh core ckan_test_211 $(VENV_211)/bin/python
	scripts/services.sh db ckan_test_211
	scripts/services.sh core ckan_remote_211 $(VENV_211)/bin/python
	scripts/services.sh db ckan_remote_211
	$(ENV_211) $(VENV_211)/bin/python -m pytest --ckan-ini=test.ini tests $(PYTEST_ARGS)

demo: services
	scripts/demo.sh start

stop:
	-scripts/demo.sh stop
	scripts/services.sh stop

status:
	scripts/services.sh status
	scripts/demo.sh status

clean: stop
	rm -rf $(VENV) $(VENV_211) .cache
