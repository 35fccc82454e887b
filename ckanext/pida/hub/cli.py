"""Commands of the regional hub, added under ``ckan pida`` by the ``pida_hub`` plugin:

    ckan pida hub-source NAME URL -c CO [--type pida_datajson]  create (or update) a national catalogue's source
    ckan pida harvest SOURCE [--full]    run a harvest job of a source now, through the Redis queues
    ckan pida harvest-health [SOURCE]    print the harvest health of the sources
    ckan pida detect [--source SOURCE]   run the detection of priority datasets again on harvested datasets
    ckan pida fetch-consumer             import harvest objects from the fetch queue (run one per core)
    ckan pida orphans [--withdraw]       datasets left by sources deleted without clearing (and withdraw them)
"""
from __future__ import annotations

import json

import click

import ckan.plugins.toolkit as tk


def _site_context() -> dict:
    return {"ignore_auth": True, "user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}


@click.command("hub-source")
@click.argument("name")
@click.argument("url")
@click.option("-c", "--country", required=True, help="ISO 3166-1 alpha-2 code, e.g. CO")
@click.option("--title", help="Title of the source (default: the country's name)")
@click.option("--config", "extra", default="{}", help="More source configuration, as JSON")
@click.option("--type", "source_type", default="pida", show_default=True,
              type=click.Choice(["pida", "pida_datajson", "pida_dcatus", "pida_ckan"]),
              help="pida: DCAT RDF; pida_datajson: data.json, OAS regional profile; pida_dcatus: data.json, DCAT-US; "
                   "pida_ckan: a plain CKAN portal's action API")
def hub_source(name, url, country, title, extra, source_type):
    """Creates or updates the harvest source NAME for a national catalogue at URL, owned by the country's
    organisation (``pida-<country>``, created if missing)."""
    from ckanext.pida import vocabulary
    context = _site_context()
    info = vocabulary.country(country)
    if not info:
        raise click.BadParameter("unknown country code", param_hint="--country")
    org_name = "pida-" + country.lower()
    try:
        org = tk.get_action("organization_show")(dict(context), {"id": org_name})
    except tk.ObjectNotFound:
        org = tk.get_action("organization_create")(dict(context), {
            "name": org_name, "title": vocabulary.text(info["name"])})
    data = {"name": name, "url": url, "source_type": source_type, "owner_org": org["id"],
            "title": title or vocabulary.text(info["name"]), "frequency": "DAILY",
            "config": json.dumps(dict(json.loads(extra), country=country.upper()))}
    try:
        existing = tk.get_action("harvest_source_show")(dict(context), {"id": name})
        source = tk.get_action("harvest_source_update")(dict(context), dict(data, id=existing["id"]))
    except tk.ObjectNotFound:
        source = tk.get_action("harvest_source_create")(dict(context), data)
    click.echo("Harvest source {} ({}) -> {}".format(source["name"], country.upper(), url))


@click.command("harvest")
@click.argument("source")
@click.option("--full", is_flag=True, help="Read the whole catalogue and propagate deletions.")
def harvest(source, full):
    """Runs a harvest job of SOURCE (id or name) to the end, through the Redis queues, in this process."""
    from ckanext.pida.hub.harvesters import runner
    try:
        source_dict = tk.get_action("harvest_source_show")(_site_context(), {"id": source})
    except tk.ObjectNotFound:
        raise click.ClickException("No harvest source is called {}.".format(source))
    try:
        job = runner.run_now(source_dict["id"], full=full)
    except runner.JobPending as e:
        raise click.ClickException(str(e))
    health = tk.get_action("pida_harvest_health")(_site_context(), {"id": source_dict["id"]})[0]
    click.echo("{}: {} ({}); {}".format(source_dict["title"], job["status"], health["health"],
                                        ", ".join("{} {}".format(v, k) for k, v in health["counts"].items())))
    for item in health["problems"] + health["object_errors"]:
        click.echo("  - " + item["message"])


@click.command("harvest-health")
@click.argument("source", required=False)
def harvest_health(source):
    """Prints the harvest health of every PIDA source (or one), as JSON."""
    data = {"id": source} if source else {}
    click.echo(json.dumps(tk.get_action("pida_harvest_health")(_site_context(), data), indent=1,
                          ensure_ascii=False))


@click.command("detect")
@click.option("--source", help="Only the datasets of this harvest source (id or name).")
def detect(source):
    """Runs the detection of priority datasets again on the harvested datasets (after vocabularies/detection.yaml
    or the threshold changed), keeping every decision already taken; updates only the datasets whose proposals
    change."""
    import ckan.model as model
    from ckanext.pida.hub import review
    from ckanext.pida.hub.model import HarvestRecord
    context = _site_context()
    query = model.Session.query(HarvestRecord.package_id).filter(HarvestRecord.state == "active",
                                                                 HarvestRecord.package_id.isnot(None))
    if source:
        try:
            source_id = tk.get_action("harvest_source_show")(dict(context), {"id": source})["id"]
        except tk.ObjectNotFound:
            raise click.ClickException("No harvest source is called {}.".format(source))
        query = query.filter(HarvestRecord.source_id == source_id)
    package_ids = [package_id for (package_id,) in query]
    changed = 0
    with click.progressbar(package_ids, label="Detecting", show_pos=True) as bar:
        for package_id in bar:
            try:
                pkg = tk.get_action("package_show")(dict(context), {"id": package_id})
            except tk.ObjectNotFound:
                continue
            patch = review.refresh(pkg)
            if patch:
                tk.get_action("package_patch")(dict(context, pida_lenient=True), dict(patch, id=package_id))
                changed += 1
    click.echo("{} datasets read, {} with new proposals.".format(len(package_ids), changed))


@click.command("fetch-consumer")
@click.pass_context
def fetch_consumer(ctx):
    """Imports harvest objects from ckanext-harvest's fetch queue, with two commits an object for the hub's sources
    (any other source's objects as ``ckan harvester fetch-consumer`` does). Run as many as the machine has cores."""
    from ckanext.pida.hub.harvesters import consumer
    with ctx.meta["flask_app"].test_request_context():
        consumer.consume_forever("fetch")


@click.command("gather-consumer")
@click.pass_context
def gather_consumer(ctx):
    """ckanext-harvest's gather consumer (``ckan harvester gather-consumer``), which does not die when its queue stays
    empty for 5 seconds on CKAN 2.12 (redis-py 8). Run one."""
    from ckanext.pida.hub.harvesters import consumer
    with ctx.meta["flask_app"].test_request_context():
        consumer.consume_forever("gather")


@click.command("orphans")
@click.option("--withdraw", is_flag=True, help="Withdraw (delete) the datasets of the sources that are gone.")
def orphans(withdraw):
    """Lists the datasets still on the hub whose harvest source was deleted without clearing it, by former source;
    with --withdraw, withdraws them (as clearing the source would have)."""
    from ckanext.pida.hub import source_lifecycle
    found = source_lifecycle.orphans()
    if not found:
        click.echo("No dataset of a deleted source is left on the hub.")
        return
    for entry in found:
        click.echo("{datasets} datasets of the deleted source {title} ({url}, id {source_id})".format(
            **dict(entry, title=entry["title"] or "?", url=entry["url"] or "?")))
        if withdraw:
            withdrawn = source_lifecycle.withdraw_datasets(entry["source_id"])
            click.secho("  withdrawn: {}".format(withdrawn), fg="green")


commands = [hub_source, harvest, harvest_health, detect, fetch_consumer, gather_consumer, orphans]


def get_commands() -> list:
    """Adds the hub's commands to the ``ckan pida`` group (the ``pida`` plugin gives CKAN the group itself)."""
    from ckanext.pida.cli import pida
    for command in commands:
        pida.add_command(command)
    return []
