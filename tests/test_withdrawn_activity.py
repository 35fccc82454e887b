"""A dataset that is no longer public leaves nothing readable by anonymous visitors (issue 18): CKAN's activity
plugin keeps every version of a dataset in its activity stream, labelled with who may read it when it was written;
a public dataset deleted or made private (at a portal, or withdrawn at its source and deleted by the hub's harvest)
would otherwise stay readable, title and description, through the activity endpoints and pages. Every GET page of
the activity plugin and every one of its read actions is read here as an anonymous visitor."""
from __future__ import annotations

import inspect
import json

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers
from ckanext.activity.logic import action as activity_actions

from ckanext.pida.hub.harvesters import runner
from tests.test_harvest import harvested_from, make_source, portal  # noqa: F401 (fixtures)

PORTAL = "pida scheming_datasets dcat activity"
HUB = "pida pida_hub pida_datajson scheming_datasets dcat harvest activity"
TITLE = "Declaraciones patrimoniales retiradas 7391"
NOTES = "Contenía números de documento de personas naturales sin anonimizar (texto único 5512)."


def _read_actions() -> list[str]:
    """The activity plugin's read actions (all of them: a new one is read too)."""
    return sorted(name for name, function in inspect.getmembers(activity_actions, inspect.isfunction)
                  if function.__module__ == activity_actions.__name__ and getattr(function, "side_effect_free", False))


def _sysadmin_context() -> dict:
    return {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}


def _activity_ids(dataset_id: str) -> list[str]:
    """Every activity of the dataset, newest first, hidden ones included (the harvester's are hidden from lists,
    not from ``activity_show``)."""
    from ckanext.activity.model import Activity
    query = model.Session.query(Activity.id).filter(Activity.object_id == dataset_id)
    return [i for i, in query.order_by(Activity.timestamp.desc())]


def _pages(app, dataset: dict, org: str, user: str, activities: list[str]) -> dict[str, list[str]]:
    """For each GET route of the activity plugin, the addresses that read it with this dataset's identifiers."""
    resource = (dataset.get("resources") or [{}])[0].get("id", "none")
    pair = "?new_id={}&old_id={}".format(activities[0], activities[-1])
    pages: dict[str, list[str]] = {}
    for rule in app.flask_app.url_map.iter_rules():
        if not rule.endpoint.startswith("activity.") or "GET" not in rule.methods:
            continue
        path = rule.rule
        if "<activity_id>" in path:
            urls = [path.replace("<id>", dataset["id"]).replace("<resource_id>", resource)
                    .replace("<activity_id>", a) for a in activities]
        elif path.endswith("/changes/<id>"):
            urls = [path.replace("<id>", a) for a in activities]
        elif path.endswith("changes_multiple"):
            urls = [path + pair]
        elif path.startswith(("/organization/", "/group/")):
            urls = [path.replace("<id>", org)]
        elif path.startswith("/user/"):
            urls = [path.replace("<id>", user)]
        elif "<id>" in path:  # the dataset's own pages, by id and by name
            urls = [path.replace("<id>", dataset["id"]), path.replace("<id>", dataset["name"])]
        elif "<" not in path:
            urls = [path]
        else:
            urls = []
        pages[path] = urls
    return pages


def _api_calls(dataset: dict, org: str, user: str, activities: list[str]) -> dict[str, list[dict]]:
    calls: dict[str, list[dict]] = {}
    for name in _read_actions():
        if name in ("activity_show", "activity_data_show"):
            calls[name] = [{"id": a, "include_data": "true"} for a in activities]
        elif name == "activity_diff":
            calls[name] = [{"id": a, "object_type": "package"} for a in activities]
        elif name == "package_activity_list":
            calls[name] = [{"id": dataset["id"]}, {"id": dataset["name"]}]
        elif name in ("organization_activity_list", "group_activity_list"):
            calls[name] = [{"id": org}]
        elif name == "user_activity_list":
            calls[name] = [{"id": user}]
        else:  # recently_changed_packages_activity_list, the dashboard's
            calls[name] = [{}]
    return calls


def _anonymous_reads(app, dataset, org, user, activities) -> list[tuple[str, int, str]]:
    """(address, status, body) of every anonymous read of the activity plugin."""
    reads = []
    for path, urls in _pages(app, dataset, org, user, activities).items():
        assert urls, "an activity page this test does not know how to read: " + path
        for url in urls:
            try:
                response = app.get(url, status=None, follow_redirects=False)
            except (tk.NotAuthorized, tk.ValidationError):  # CKAN's changes_multiple lets them through: a server
                # error, nothing shown
                reads.append((url, 500, ""))
                continue
            reads.append((url, response.status_code, response.get_data(as_text=True)))
    for name, calls in _api_calls(dataset, org, user, activities).items():
        for params in calls:
            response = app.get("/api/3/action/" + name, query_string=params, status=None)
            reads.append(("/api/3/action/{}?{}".format(name, params), response.status_code,
                          response.get_data(as_text=True)))
    return reads


def _leaks(reads) -> list[str]:
    return ["{} ({})".format(url, status) for url, status, body in reads
            if TITLE in body or NOTES[:40] in body or json.dumps(TITLE)[1:-1] in body]


@pytest.fixture
def portal_site(clean_db, clean_index, with_plugins, migrate_db_for):
    for plugin in ("activity", "pida"):
        migrate_db_for(plugin)
    helpers.call_action("pida_vocabulary_sync", _sysadmin_context())
    user = factories.User(name="editora-datos")
    org = factories.Organization(name="oficina-anticorrupcion", users=[{"name": user["name"], "capacity": "editor"}])
    dataset = helpers.call_action(
        "package_create", {"user": user["name"]}, name="declaraciones-patrimoniales", title=TITLE, notes=NOTES,
        owner_org=org["id"], resources=[{"url": "https://datos.example.gob/declaraciones.csv", "format": "CSV"}])
    helpers.call_action("package_patch", {"user": user["name"]}, id=dataset["id"], notes=NOTES + " Segunda versión.")
    return {"dataset": helpers.call_action("package_show", _sysadmin_context(), id=dataset["id"]),
            "org": org["name"], "user": user["name"]}


@pytest.mark.ckan_config("ckan.plugins", PORTAL)
@pytest.mark.parametrize("withdraw", ["package_delete", "made_private"])
def test_a_portal_dataset_withdrawn_leaves_nothing_readable_by_anonymous_visitors(app, portal_site, withdraw):
    dataset, org, user = portal_site["dataset"], portal_site["org"], portal_site["user"]
    activities = _activity_ids(dataset["id"])
    assert len(activities) == 2
    before = _anonymous_reads(app, dataset, org, user, activities)
    assert len(_leaks(before)) > 5  # public: its title is read in many places (the test can see a leak)

    if withdraw == "package_delete":
        helpers.call_action("package_delete", {"user": user}, id=dataset["id"])
    else:
        helpers.call_action("package_patch", {"user": user}, id=dataset["id"], private=True)

    activities = _activity_ids(dataset["id"])
    assert len(activities) == 3
    reads = _anonymous_reads(app, dataset, org, user, activities)
    assert len(reads) > 20
    assert _leaks(reads) == []
    # The organisation's members still read its history
    member_view = [helpers.call_action("activity_data_show", {"user": user}, id=a, object_type="package")
                   for a in activities]
    assert all(version["title"] == TITLE for version in member_view)

    if withdraw == "made_private":  # published again: its history is public again, as CKAN shows it
        helpers.call_action("package_patch", {"user": user}, id=dataset["id"], private=False)
        assert _leaks(_anonymous_reads(app, dataset, org, user, _activity_ids(dataset["id"])))


@pytest.fixture
def hub_site(clean_db, clean_index, migrate_db_for, with_plugins):
    for plugin in ("activity", "harvest", "pida"):
        migrate_db_for(plugin)
    from ckanext.harvest import queue
    queue.purge_queues()
    helpers.call_action("pida_vocabulary_sync", _sysadmin_context())
    return {"org": factories.Organization(name="hub-federation")}


@pytest.mark.ckan_config("ckan.plugins", HUB)
def test_a_harvested_dataset_withdrawn_at_its_source_leaves_nothing_readable_at_the_hub(app, hub_site, portal):
    with open("tests/data/real/ar_datos_jus_gob_ar.json", encoding="utf-8") as f:
        catalog = json.load(f)
    catalog["dataset"][0].update(title=TITLE, description=NOTES)
    portal.routes["/data.json"] = (200, "application/json", json.dumps(catalog, ensure_ascii=False).encode())
    source = make_source(hub_site, portal.base + "/data.json", "AR")
    source = helpers.call_action("harvest_source_patch", _sysadmin_context(), id=source["id"],
                                 source_type="pida_datajson")
    runner.run_now(source["id"])
    dataset = harvested_from(source["id"])[TITLE]
    # The harvester's own activities are hidden from the streams; a hub editor's decision is not.
    editor = factories.Sysadmin(name="editor-hub")
    [proposal] = [p for p in dataset["pida_harvest"]["detection"]["pending"] if p["id"] == "asset-declarations"]
    helpers.call_action("pida_detection_decide", {"user": editor["name"]}, id=dataset["id"], concept=proposal["id"],
                        decision="confirmed")
    activities = _activity_ids(dataset["id"])
    assert len(_leaks(_anonymous_reads(app, dataset, "hub-federation", editor["name"], activities))) > 3

    catalog["dataset"] = catalog["dataset"][1:]  # withdrawn at its source
    portal.routes["/data.json"] = (200, "application/json", json.dumps(catalog, ensure_ascii=False).encode())
    runner.run_now(source["id"])

    assert TITLE not in harvested_from(source["id"])
    reads = _anonymous_reads(app, dataset, "hub-federation", editor["name"], _activity_ids(dataset["id"]))
    assert _leaks(reads) == []


@pytest.mark.ckan_config("ckan.plugins", PORTAL)
def test_what_was_withdrawn_before_the_plugin_is_hidden_by_one_command(app, portal_site, cli):
    """A portal that deleted a public dataset before installing ckanext-pida keeps its versions labelled public
    (the state CKAN's activity plugin leaves): ``ckan pida hide-withdrawn-activity`` hides them, once."""
    from ckanext.activity.model import Activity
    from ckanext.pida.cli import pida
    dataset, org, user = portal_site["dataset"], portal_site["org"], portal_site["user"]
    helpers.call_action("package_delete", {"user": user}, id=dataset["id"])
    model.Session.query(Activity).filter(Activity.object_id == dataset["id"]).update(
        {Activity.permission_labels: ["public"]}, synchronize_session=False)
    model.repo.commit()
    activities = _activity_ids(dataset["id"])
    assert _leaks(_anonymous_reads(app, dataset, org, user, activities))

    result = cli.invoke(pida, ["hide-withdrawn-activity"])
    assert result.exit_code == 0, result.output
    assert "1 datasets that are not public had activities readable by anyone: 3 activities" in result.output

    assert _leaks(_anonymous_reads(app, dataset, org, user, activities)) == []
    again = cli.invoke(pida, ["hide-withdrawn-activity"])
    assert again.output.startswith("0 datasets")
