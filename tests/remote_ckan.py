"""A plain CKAN site (no DCAT, no ckanext-pida) on 127.0.0.1, started like the demo portals: its own database
(``ckan_remote``), Solr core (``ckan_remote``) and Redis database, in a process of its own. The hub's ``pida_ckan``
source type reads it through its action API; the tests publish and edit datasets through the same API."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import pytest
import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CKAN = os.path.join(os.path.dirname(sys.executable), "ckan")


def write_ini(path: str, overrides: dict) -> str:
    """A whole ini file: test.ini with these options of [app:main] replaced (CKAN 2.11 reads the logging sections
    of the file it is given, so ``use = config:`` alone is not enough)."""
    out, done = [], set()
    with open(os.path.join(ROOT, "test.ini"), encoding="utf-8") as f:
        for line in f:
            key = line.split("=", 1)[0].strip()
            if "=" in line and key in overrides:
                out.append("{} = {}\n".format(key, overrides[key]))
                done.add(key)
            else:
                out.append(line.replace("%(here)s", ROOT))
            if line.strip() == "[app:main]":
                out += ["{} = {}\n".format(k, v) for k, v in overrides.items() if k not in _test_ini_keys()]
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(out)
    return path


def _test_ini_keys() -> set:
    with open(os.path.join(ROOT, "test.ini"), encoding="utf-8") as f:
        return {line.split("=", 1)[0].strip() for line in f if "=" in line and not line.lstrip().startswith("#")}


class RemoteCkan:
    def __init__(self, workdir):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port
        # Its own database and Solr core (one per CKAN version under test: the Makefile names them).
        name = os.environ.get("PIDA_REMOTE_CKAN", "ckan_remote")
        self.ini = write_ini(os.path.join(workdir, "remote.ini"), {
            "sqlalchemy.url": "postgresql://ckan_default:pass@127.0.0.1:5432/" + name,
            "solr_url": "http://127.0.0.1:8983/solr/" + name, "ckan.redis.url": "redis://127.0.0.1:6379/5",
            "ckan.site_url": self.url, "ckan.site_id": "pida-remote", "ckan.plugins": "activity",
            "ckan.auth.create_unowned_dataset": "true"})
        # The test run's own CKAN_* variables point at the test database: the remote site must not see them.
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CKAN_")}
        self.log = open(os.path.join(workdir, "remote.log"), "w")
        self._ckan("db", "clean", "--yes")
        self._ckan("db", "init")
        self._ckan("search-index", "clear")  # an earlier run's documents would come back through package_search
        self._ckan("user", "add", "remote-admin", "email=remote@example.org", "password=remote-admin-2026")
        self._ckan("sysadmin", "add", "remote-admin")
        self.token = self._ckan("user", "token", "add", "remote-admin", "tests").strip().splitlines()[-1].strip()
        self.process = subprocess.Popen([CKAN, "-c", self.ini, "run", "-H", "127.0.0.1", "-p", str(self.port),
                                         "--disable-reloader"], stdout=self.log, stderr=subprocess.STDOUT,
                                        env=self.env, cwd=ROOT)
        for _ in range(120):
            try:
                if requests.get(self.url + "/api/3/action/status_show", timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError("the remote CKAN did not start (log: {})".format(self.log.name))

    def _ckan(self, *args) -> str:
        out = subprocess.run([CKAN, "-c", self.ini] + list(args), capture_output=True, text=True, env=self.env,
                             cwd=ROOT, timeout=300)
        self.log.write(out.stdout + out.stderr)
        if out.returncode:
            raise RuntimeError("ckan {} failed: {}".format(" ".join(args), out.stderr[-2000:]))
        return out.stdout

    def call(self, action: str, **data):
        response = requests.post(self.url + "/api/3/action/" + action, json=data, timeout=60,
                                 headers={"Authorization": self.token})
        body = response.json()
        assert body.get("success"), body
        return body["result"]

    def stop(self):
        if getattr(self, "process", None):
            self.process.terminate()
            self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture(scope="module")
def remote_ckan(tmp_path_factory):
    remote = RemoteCkan(str(tmp_path_factory.mktemp("remote-ckan")))
    yield remote
    remote.stop()
