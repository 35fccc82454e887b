"""``ckan pida ...``: set up the PIDA vocabulary, check datasets against the PIDA rules, load sample data, record
the coverage (``coverage-snapshot`` daily, ``coverage-backfill`` once), fill the catalogue's cache
(``catalog-warm``), propose priority datasets for datasets
described in a file (``suggest``), adopt a portal's older datasets (``adopt``), check the distributions' links
(``check-links``). The hub adds its commands (ckanext.pida.hub.cli)."""
from __future__ import annotations

import contextlib
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
    """The errors the PIDA schema finds in a stored dataset if it were published now through the PIDA form (drafts
    included): every rule and every required field (``pida_complete``), the values it stores judged as new."""
    plugin = lookup_package_plugin(pkg_dict.get("type"))
    context = {"model": model, "session": model.Session, "user": _site_context()["user"], "pida_complete": True}
    _, errors = plugin.validate(context, dict(pkg_dict, state="active"), plugin.update_package_schema(),
                                "package_update")
    return errors


def _flat_errors(errors: dict, prefix: str = "") -> list[tuple[str, str]]:
    """``[(field, message)]`` of a CKAN error dict (subfields as ``contact.email``)."""
    out = []
    for field, value in errors.items():
        name = "{}.{}".format(prefix, field) if prefix else field
        if isinstance(value, dict):
            out += _flat_errors(value, name)
        elif isinstance(value, list):
            for item in value:
                out += _flat_errors(item, name) if isinstance(item, dict) else [(name, str(item))]
        else:
            out.append((name, str(value)))
    return out


def _field_places(lang: str) -> dict[str, tuple[str, str]]:
    """Field name -> (label, "page N «title»") of the PIDA form, in ``lang``."""
    from ckanext.pida import vocabulary
    from ckanext.scheming.helpers import scheming_get_dataset_form_pages
    places = {}
    for number, page in enumerate(scheming_get_dataset_form_pages("dataset") or [], 1):
        for field in page["fields"]:
            places[field["field_name"]] = (vocabulary.text(field.get("label"), lang) or field["field_name"],
                                           "{} {} «{}»".format(tk._("page"), number,
                                                               vocabulary.text(page.get("title"), lang)))
    return places


@pida.command()
@click.argument("dataset", required=False)
@click.option("--all", "all_", is_flag=True, help="Check every dataset of the portal, drafts and private included.")
@click.option("--csv", "csv_path", type=click.Path(dir_okay=False, writable=True),
              help="Also write one row per problem: dataset, title, state, field, label, page, message.")
def validate(dataset, all_, csv_path):
    """List what each dataset lacks to be published through the PIDA form (every rule and required field), grouped
    by reason, with the form's labels and pages. Exit code 1 if any dataset breaks a rule."""
    import csv as csv_module
    if not dataset and not all_:
        raise click.UsageError("Name a dataset or use --all.")
    context = _site_context()
    if dataset:
        names = [dataset]
    else:
        names = [name for (name,) in model.Session.query(model.Package.name)
                 .filter(model.Package.state.in_(["active", "draft"])).order_by(model.Package.name)]
    lang = tk.config.get("ckan.locale_default") or "en"
    places = _field_places(lang)
    groups: dict[tuple, list[str]] = {}
    rows = []
    broken = 0
    with click.progressbar(names, label="Checking", file=sys.stderr) if len(names) > 50 else \
            contextlib.nullcontext(names) as bar:
        for name in bar:
            pkg = tk.get_action("package_show")(dict(context, use_cache=False), {"id": name})
            problems = _flat_errors(dataset_errors(pkg))
            if problems:
                broken += 1
            for field, message in problems:
                label, page = places.get(field.split(".")[0], (field, ""))
                groups.setdefault((page, label, message), []).append(name)
                rows.append([name, pkg.get("title"), pkg.get("state"), field, label, page, message])
    for (page, label, message), which in sorted(groups.items(), key=lambda g: (-len(g[1]), g[0])):
        click.secho("{} dataset(s) · {}{}: {}".format(len(which), label, " ({})".format(page) if page else "",
                                                      message), fg="red", bold=True)
        shown = ", ".join(which[:10])
        click.echo("  " + shown + (" … (+{})".format(len(which) - 10) if len(which) > 10 else ""))
    if csv_path:
        with open(csv_path, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv_module.writer(f, delimiter=";")
            writer.writerow(["dataset", "title", "state", "field", "label", "page", "message"])
            writer.writerows(rows)
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


@pida.command("hide-withdrawn-activity")
def hide_withdrawn_activity():
    """Hides from anonymous visitors the activity stream of every dataset that is not public now (deleted,
    private, draft or purged before ckanext-pida was installed): its versions become readable by its organisation's
    members only, as the plugin keeps them from then on. Idempotent; needs the activity plugin."""
    from ckanext.pida import activity_privacy
    datasets, changed = activity_privacy.hide_withdrawn()
    click.echo("{} datasets that are not public had activities readable by anyone: {} activities are now readable "
               "by their organisation's members only.".format(datasets, changed))


@pida.command("catalog-warm")
@click.option("--formats", default="ttl,jsonld,rdf", show_default=True, help="Comma-separated catalogue formats")
@click.pass_context
def catalog_warm(ctx, formats):
    """Serialises every page of the catalogue once, in each format, so that the part of each dataset is in the cache
    (``ckanext.pida.catalog.cache_ttl``) before a harvester asks: the first walk after a deployment, or after many
    datasets changed, is then as fast as the next ones. Run it after a large import, or from cron."""
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


@pida.command("calibrate-detection")
@click.argument("path", type=click.File("r", encoding="utf-8"))
@click.option("--write", is_flag=True, help="Write the figures into the calibration the review pages read.")
def calibrate_detection(path, write):
    """Measures how often the detector's proposals are right, by the kind of evidence they rest on, on a labelled
    set: one JSON line per dataset of PATH ({"title", "notes", "tags", "lang", "country", "expected": [concept
    ids]}). The review queue shows these figures as each proposal's confidence; --write stores them
    (vocabularies/calibration/detection.yaml). Label a sample of each new catalogue and run it again."""
    import yaml
    from ckanext.pida import detection
    rows = [json.loads(line) for line in path if line.strip()]
    result = detection.calibrate(rows)
    for cls in detection.EVIDENCE_CLASSES:
        counts = result["classes"][cls]
        click.echo("{:8} {:>3} right of {:>3}  confidence {:.0%}".format(
            cls, counts["right"], counts["of"], (counts["right"] + 1) / (counts["of"] + 2)))
    if write:
        data = {"source": os.path.basename(getattr(path, "name", "")) or "-", "datasets": result["datasets"],
                "proposals": result["proposals"], "threshold": detection.default_threshold(),
                "classes": result["classes"]}
        with open(detection.CALIBRATION_FILE, "w", encoding="utf-8") as f:
            f.write("# Written by `ckan pida calibrate-detection --write`: how often the detector's proposals were\n"
                    "# right on a labelled set, by the kind of evidence they rest on (ckanext/pida/detection.py).\n")
            yaml.safe_dump(data, f, sort_keys=False, allow_unicode=True)
        click.echo("Written to " + detection.CALIBRATION_FILE)


@pida.command()
@click.option("--apply", "apply_", is_flag=True, help="Save the changes (without it: a dry run, the report only).")
@click.option("--country", help="ISO 3166-1 code set on datasets without one (default: ckanext.pida.country).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, writable=True), default="pida-adopt.csv",
              show_default=True, help="The CSV report: one row per change, per value not understood, per suggestion.")
@click.option("--batch-size", default=500, show_default=True, help="Datasets read per batch.")
@click.option("--start-after", help="Resume after this dataset id (the last one a previous run finished).")
@click.option("--delimiter", default=";", show_default=True, help="Column separator of the report.")
def adopt(apply_, country, report_path, batch_size, start_after, delimiter):
    """Read the portal's datasets from before ckanext-pida into the PIDA schema: update frequency, dates and
    languages in any common encoding and the free extras that say them ("Frequência de atualização": "Mensal",
    "Datos personales": "Sí"...), maintainer or author as contact point, organisation as publisher, the portal's
    country. Every extra is kept. A dry run unless --apply; idempotent; resumable with --start-after."""
    from ckanext.pida import adoption
    country = (country or tk.config.get("ckanext.pida.country") or "").upper() or None
    if country and not vocabulary_country(country):
        raise click.BadParameter("unknown country code: {}".format(country), param_hint="--country")
    total = adoption.count_datasets(start_after)
    lang = tk.config.get("ckan.locale_default") or "en"
    # Resuming adds to the report of the interrupted run; a new report starts with its header (and the byte order
    # mark spreadsheets read).
    appending = bool(start_after) and os.path.exists(report_path) and os.path.getsize(report_path) > 0
    with open(report_path, "a" if appending else "w", encoding="utf-8" if appending else "utf-8-sig",
              newline="") as stream:
        report = adoption.Report(stream, lang, delimiter, header=not appending)
        summary = adoption.Summary()
        with click.progressbar(length=total, label="Adopting {} datasets".format(total), show_pos=True,
                               file=sys.stderr) as bar:
            try:
                adoption.run(report, apply_, country, batch_size, start_after, progress=bar.update, summary=summary)
            except KeyboardInterrupt:
                stream.flush()
                raise click.ClickException("Interrupted after {} datasets: resume with --start-after {}".format(
                    summary.datasets, summary.last_id or start_after or "(none: start again)"))
    verb = "changed" if apply_ else "would change"
    click.echo("{} datasets read, {} {}{}.".format(summary.datasets, verb, summary.changed,
                                                  ", {} refused".format(summary.refused) if summary.refused else ""))
    for outcome, n in sorted(summary.outcomes.items()):
        click.echo("  {}: {} fields".format(outcome, n))
    click.echo("  priority datasets detected: {} ({})".format(
        summary.suggested, "to confirm or reject at /pida/review" if apply_ else "stored by --apply, then reviewed at "
        "/pida/review"))
    click.echo("Report: {}{}".format(report_path, "" if apply_ else " (dry run: nothing saved; --apply saves)"))
    if summary.last_id:
        click.echo("Last dataset: {} (--start-after resumes after it)".format(summary.last_id))


@pida.command("check-links")
@click.option("--workers", type=int, help="Hosts checked at the same time (default: ckanext.pida.links.workers).")
@click.option("--all", "all_", is_flag=True, help="Check every link of every public dataset now, due or not.")
@click.option("--limit", type=int, help="At most this many links, the longest overdue first.")
def check_links(workers, all_, limit):
    """Check the access and download URLs of the public datasets' distributions: those never checked and those
    due (ckanext.pida.links.recheck_days after a success, sooner with back-off after a failure). For cron, e.g.
    hourly. The datasets whose links changed state are reindexed (their quality score and coverage cell)."""
    from ckanext.pida.quality import links
    public = links.public_urls()
    new = links.register(public)
    model.Session.commit()
    todo = sorted(public) if all_ else [u for u in links.due() if u in public]
    todo = todo[:limit] if limit else todo
    click.echo("{} links in public datasets ({} new), {} to check now.".format(len(public), len(new), len(todo)))
    if not todo:
        return
    with click.progressbar(length=len(todo), label="Checking links", show_pos=True, file=sys.stderr) as bar:
        counts = links.run(todo, workers, progress=lambda n, total: bar.update(1))
    click.echo("working: {}, broken: {}, refused (not a public address): {}; {} changed state, {} datasets "
               "reindexed.".format(counts.get(links.WORKING, 0), counts.get(links.BROKEN, 0),
                                    counts.get(links.REFUSED, 0), counts["changed"], counts["reindexed"]))


def vocabulary_country(code: str):
    from ckanext.pida import vocabulary
    return vocabulary.country(code)


def get_commands() -> list:
    return [pida]
