"""Shared fixtures. CKAN's own pytest plugin (ckan.tests.pytest_ckan) provides with_plugins, clean_db,
clean_index, reset_db, app, migrate_db_for...; fixtures of ours go here."""
