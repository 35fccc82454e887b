"""``ckan pida ...``: set up the PIDA vocabulary, check datasets against the PIDA rules, load sample data, record
the coverage (``coverage-snapshot`` daily, ``coverage-backfill`` once), fill the catalogue's cache
(``catalog-warm``), propose priority datasets for datasets
described in a file (``suggest``). The hub adds its commands (ckanext.pida.hub.cli)."""
from __future__ import annotations

import json
import os
import sys

import click

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.plugins import lookup_package_plugin


def _site_context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "ignore_auth": False}


@click.group(short_help="PIDA: vocabulary, validation, sample data")
def pida():
    pass


@pida.command()
def init():
    """Create or update the pida_priority tag vocabulary (idempotent; never removes anything)."""
    result = tk.get_action("pida_vocabulary_sync")(_site_context(), {})
    if result["created"]:
        click.secho("Created vocabulary pida_priority with {} concepts.".format(len(result["added"])), fg="green")
    elif result["added"]:
        click.secho("Added {} concepts: {}".format(len(result["added"]), ", ".join(result["added"])), fg="green")
    else:
        click.echo("Vocabulary pida_priority is up to date.")
    if result["unknown"]:
        click.secho("Tags not in the PIDA list (left alone): " + ", ".join(result["unknown"]), fg="yellow")


def dataset_errors(pkg_dict: dict) -> dict:
    """The errors the PIDA schema finds in a stored dataset if it were published now (drafts included)."""
    plugin = lookup_package_plugin(pkg_dict.get("type"))
    context = {"model": model, "session": model.Session, "user": _site_context()["user"]}
    _, errors = plugin.validate(context, dict(pkg_dict, state="active"), plugin.update_package_schema(),
                                "package_update")
    return errors


@pida.command()
@click.argument("dataset", required=False)
@click.option("--all", "all_", is_flag=True, help="Check every dataset of the portal.")
def validate(dataset, all_):
    """List the datasets that break the PIDA rules, and why. Exit code 1 if any does."""
    if not dataset and not all_:
        raise click.UsageError("Name a dataset or use --all.")
    context = _site_context()
    if dataset:
        names = [dataset]
    else:
        names = [name for (name,) in model.Session.query(model.Package.name)
                 .filter(model.Package.state == "active").order_by(model.Package.name)]
    broken = 0
    for name in names:
        pkg = tk.get_action("package_show")(dict(context), {"id": name})
        errors = dataset_errors(pkg)
        if errors:
            broken += 1
            click.secho(name, fg="red", bold=True)
            for field, messages in sorted(errors.items()):
                for message in messages if isinstance(messages, list) else [messages]:
                    click.echo("  {}: {}".format(field, message))
    click.echo("{} dataset(s) checked, {} break the PIDA rules.".format(len(names), broken))
    sys.exit(1 if broken else 0)


@pida.command("load-samples")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
def load_samples(folder):
    """Load the organisations and datasets of FOLDER (organizations.json, datasets.json); existing ones are
    updated, so running it twice changes nothing."""
    context = _site_context()
    for kind, show, create, update in (
            ("organizations", "organization_show", "organization_create", "organization_update"),
            ("datasets", "package_show", "package_create", "package_update")):
        path = os.path.join(folder, kind + ".json")
        if not os.path.exists(path):
            continue
        with open(path, encoding="utf-8") as f:
            records = json.load(f)
        for record in records:
            action = create
            try:
                tk.get_action(show)(dict(context), {"id": record["name"]})
                action = update
            except tk.ObjectNotFound:
                pass
            try:
                tk.get_action(action)(dict(context), dict(record, id=record["name"]) if action == update else record)
            except tk.ValidationError as e:
                raise click.ClickException("{} {}: {}".format(kind, record["name"], e.error_dict))
        click.echo("{} {} loaded from {}".format(len(records), kind, path))


@pida.command("coverage-snapshot")
def coverage_snapshot():
    """Stores today's coverage of the priority datasets (one row per country)."""
    result = tk.get_action("pida_coverage_snapshot")(_sysadmin_context(), {})
    click.echo("Coverage snapshot of {day}: {countries} countries".format(**result))


@pida.command("coverage-backfill")
@click.option("--days", default=365, show_default=True, help="How far back")
@click.option("--step", default=7, show_default=True, help="One snapshot every STEP days")
def coverage_backfill(days, step):
    """Reconstructs the missing past snapshots from the datasets' release and update dates (recorded snapshots are
    kept), so that the progress chart starts with the datasets' history."""
    result = tk.get_action("pida_coverage_backfill")(_sysadmin_context(), {"days": days, "step": step})
    click.echo("Coverage backfilled: {days} past snapshots".format(**result))


def _sysadmin_context() -> dict:
    return {"ignore_auth": True, "user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}


@pida.command("reindex-stale")
def reindex_stale():
    """Reindexes the datasets that went out of date since they were indexed, so that the Charter evaluation in the
    search index (and the coverage's principle counts, read from it) stays true without a full reindex. Run it
    daily from cron, as coverage-snapshot."""
    from ckan.lib import search
    from ckanext.pida import indexing
    ids = indexing.stale_in_index()
    if ids:
        search.rebuild(package_ids=ids, defer_commit=True, quiet=True)
        search.commit()
    click.echo("{} datasets went out of date since they were indexed: reindexed.".format(len(ids)))


@pida.command("catalog-warm")
@click.option("--formats", default="ttl,jsonld,rdf", show_default=True, help="Comma-separated catalogue formats")
@click.pass_context
def catalog_warm(ctx, formats):
    """Serialises every page of the catalogue once, in each format, so that the part of each dataset is in the cache
    (``ckanext.pida.catalog.cache_ttl``) before a harvester asks: the first walk after a deployment, or after many
    datasets changed, is then as fast as the next ones. Run it after a large import, or from cron."""
    import contextlib
    from flask import current_app, has_request_context
    from ckanext.pida import catalog
    app = ctx.meta.get("flask_app") or current_app
    with contextlib.nullcontext() if has_request_context() else app.test_request_context():
        rows = catalog.page_size({})[0]
        total = catalog.catalog_page({"rows": 1})[1]["count"]
        pages = -(-total // rows)
        for fmt in formats.split(","):
            with click.progressbar(range(1, pages + 1), label="Catalogue in " + fmt, show_pos=True) as bar:
                for page in bar:
                    catalog.serialize_catalog({"format": fmt, "page": page})
    click.echo("{} datasets, {} pages in each of {}.".format(total, pages, formats))


@pida.command()
@click.argument("path", type=click.File("r", encoding="utf-8"))
@click.option("--threshold", type=float, help="Lowest score proposed (default: ckanext.pida.detection.threshold).")
def suggest(path, threshold):
    """For each JSON line of PATH ({"title", "notes", "tags", "lang"}, lang optional; - reads standard input),
    writes one JSON line {"suggestions": [{"id", "score", "evidence"}]}: the priority datasets the hub would
    propose, best first. A line that is not a JSON object gives {"error": ...} in its place."""
    from ckanext.pida import detection
    for number, line in enumerate(path, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except ValueError as e:
            click.echo(json.dumps({"error": "line {}: {}".format(number, e)}))
            continue
        lang = (record.get("lang") or "").split("_")[0].lower() or None
        suggestions = detection.suggest(record, lang=lang if lang in detection.STEMMERS else None,
                                        country=record.get("country"), threshold=threshold)
        click.echo(json.dumps({"suggestions": suggestions}, ensure_ascii=False))


def get_commands() -> list:
    return [pida]
