"""`ckan pida init` and `ckan pida validate` through CKAN's own CLI runner."""
import pytest

from ckanext.pida.cli import pida as pida_cli
from ckan.tests import helpers

from ckanext.pida import vocabulary
from tests.conftest import PORTAL_PLUGINS

pytestmark = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
              pytest.mark.usefixtures("with_plugins")]


@pytest.mark.usefixtures("clean_db")
def test_init_creates_then_finds_up_to_date(cli):
    first = cli.invoke(pida_cli, ["init"])
    assert first.exit_code == 0, first.output
    assert "30 concepts" in first.output

    second = cli.invoke(pida_cli, ["init"])
    assert second.exit_code == 0, second.output
    assert "up to date" in second.output
    vocab = helpers.call_action("vocabulary_show", id=vocabulary.PRIORITY_VOCABULARY)
    assert sorted(t["name"] for t in vocab["tags"]) == sorted(c["id"] for c in vocabulary.concepts())


@pytest.mark.usefixtures("clean_db")
def test_init_adds_missing_concepts_and_keeps_unknown_tags(cli):
    vocab = helpers.call_action("vocabulary_create", name=vocabulary.PRIORITY_VOCABULARY,
                                tags=[{"name": "budgets"}, {"name": "local-concept"}])

    result = cli.invoke(pida_cli, ["init"])

    assert result.exit_code == 0, result.output
    assert "Added 29 concepts" in result.output and "local-concept" in result.output
    tags = {t["name"] for t in helpers.call_action("vocabulary_show", id=vocab["id"])["tags"]}
    assert len(tags) == 31 and "local-concept" in tags


def test_vocabulary_sync_is_for_sysadmins_only(pida_vocab):
    from ckan.tests import factories
    import ckan.plugins.toolkit as tk
    user = factories.User()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("pida_vocabulary_sync", {"user": user["name"], "ignore_auth": False})


@pytest.mark.usefixtures("clean_index")
def test_validate_lists_broken_datasets_and_why(cli, full_dataset):
    helpers.call_action("package_create", **full_dataset)
    helpers.call_action("package_create", **dict(full_dataset, name="borrador", state="draft",
                                                 pida_anonymisation="", frequency=""))

    clean = cli.invoke(pida_cli, ["validate", "registro-de-cabilderos"])
    assert clean.exit_code == 0, clean.output
    assert "0 break" in clean.output

    # A draft may be incomplete, but `validate` checks it as if it were published.
    broken = cli.invoke(pida_cli, ["validate", "borrador"])
    assert broken.exit_code == 1
    # Labels and pages of the form, not field names.
    assert "Anonymisation applied (page 4 «Rules and licence»)" in broken.output, broken.output
    assert "Update frequency (page 3 «When and where»): Missing value" in broken.output


@pytest.mark.usefixtures("clean_index")
def test_validate_all_groups_by_reason_includes_drafts_and_writes_csv(cli, full_dataset, tmp_path):
    import csv
    helpers.call_action("package_create", **full_dataset)
    for n in range(3):
        helpers.call_action("package_create", **dict(full_dataset, name="sin-frecuencia-{}".format(n),
                                                     frequency="", state="draft" if n == 0 else "active",
                                                     pida_priority=[]))

    result = cli.invoke(pida_cli, ["validate", "--all", "--csv", str(tmp_path / "problems.csv")])

    assert result.exit_code == 1
    assert "3 dataset(s) · Update frequency (page 3 «When and where»): Missing value" in result.output
    assert "sin-frecuencia-0" in result.output  # the draft
    assert "4 dataset(s) checked, 3 break the PIDA rules." in result.output
    with open(tmp_path / "problems.csv", encoding="utf-8-sig") as f:
        rows = list(csv.DictReader(f, delimiter=";"))
    assert {(r["dataset"], r["label"], r["state"]) for r in rows} == {
        ("sin-frecuencia-{}".format(n), "Update frequency", "draft" if n == 0 else "active") for n in range(3)}


@pytest.mark.ckan_config("ckanext.pida.country", "CO")  # the demo portal's setting: samples leave the country out
@pytest.mark.usefixtures("clean_index", "pida_vocab")
def test_load_samples_twice_changes_nothing(cli):
    import json
    import os
    folder = os.path.join(os.path.dirname(__file__), "..", "demo", "samples", "portal-co")

    for _ in range(2):
        result = cli.invoke(pida_cli, ["load-samples", folder])
        assert result.exit_code == 0, result.output

    with open(os.path.join(folder, "datasets.json"), encoding="utf-8") as f:
        samples = json.load(f)
    found = helpers.call_action("package_search", q="*:*", rows=50)
    assert found["count"] == len(samples)
    # the datasets "from before the plugin" (no PIDA field, free extras): kept as they are, and detected
    old = helpers.call_action("package_show", id="secop-ii-contratos-electronicos")
    assert {e["key"]: e["value"] for e in old["extras"]}["Frecuencia de actualización"] == "Diaria"
    assert "contracts-register" in [p["id"] for p in old["pida_detection"]["pending"]]
    secop = helpers.call_action("package_show", id="secop-procesos-de-contratacion")
    assert sorted(secop["pida_priority"]) == ["contracts-register", "tender-award-processes"]
    assert secop["pida_standards"] == ["ocds"]


@pytest.mark.usefixtures("clean_index")
def test_coverage_snapshot_and_backfill_from_the_command_line(cli, full_dataset, migrate_db_for):
    import datetime
    migrate_db_for("pida")
    helpers.call_action("package_create", **dict(full_dataset, issued=(
        datetime.date.today() - datetime.timedelta(days=30)).isoformat()))

    snapshot = cli.invoke(pida_cli, ["coverage-snapshot"])
    backfill = cli.invoke(pida_cli, ["coverage-backfill", "--days", "28", "--step", "7"])
    again = cli.invoke(pida_cli, ["coverage-backfill", "--days", "28", "--step", "7"])

    assert snapshot.exit_code == 0 and "Coverage snapshot of {}: 1 countries".format(
        datetime.date.today().isoformat()) in snapshot.output
    assert backfill.exit_code == 0 and "Coverage backfilled: 4 past snapshots" in backfill.output
    assert "Coverage backfilled: 0 past snapshots" in again.output  # recorded days are kept
