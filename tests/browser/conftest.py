"""Browser tests: Debian's Chromium driven by Selenium through chromium-driver, against the CKAN app of the test
(its real PostgreSQL, Solr and Redis) served over HTTP on 127.0.0.1 by a werkzeug server in a thread, and axe-core
(npm) for accessibility. ``make test`` installs the browser and axe-core (scripts/services.sh browser)."""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
import time

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait
from werkzeug.serving import make_server

from tests.conftest import PORTAL_PLUGINS

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
AXE = os.path.join(ROOT, "node_modules", "axe-core", "axe.min.js")
CHROMIUM = os.environ.get("PIDA_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("PIDA_CHROMEDRIVER", "/usr/bin/chromedriver")
PASSWORD = "correcto-caballo-bateria-2026"
DESKTOP = (1366, 900)
PHONE = (390, 844)


class LiveServer:
    """The test's CKAN app (the ``app`` fixture: the plugins and config of the test) on a real HTTP port. ``stop``
    waits for the requests in flight: a request still writing when the next test empties the database deadlocks
    with it (seen on a loaded machine), and every later test then starts from a database that is not empty."""

    def __init__(self, wsgi_app):
        self.in_flight = 0
        self.lock = threading.Lock()

        def counted(environ, start_response):
            with self.lock:
                self.in_flight += 1
            try:
                return list(wsgi_app(environ, start_response))  # the whole response, inside the count
            finally:
                with self.lock:
                    self.in_flight -= 1

        self.server = make_server("127.0.0.1", 0, counted, threaded=True)
        self.url = "http://127.0.0.1:%d" % self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        deadline = time.monotonic() + 60
        while self.in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        self.server.server_close()


@pytest.fixture
def live_server(app, ckan_config, monkeypatch):
    server = LiveServer(app.app)
    # Pages tell CKAN's JavaScript where the site is (<meta name="site-root">): here, not test.ini's site_url.
    monkeypatch.setitem(ckan_config, "ckan.site_url", server.url)
    yield server
    server.stop()


class Browser:
    """A headless Chromium with the few helpers the journeys need."""

    def __init__(self, base_url: str):
        missing = [p for p in (CHROMIUM, CHROMEDRIVER, AXE) if not os.path.exists(p)]
        if missing:
            pytest.fail("browser tools missing: {} (run `scripts/services.sh browser`)".format(", ".join(missing)))
        self.base = base_url
        self.profile = tempfile.mkdtemp(prefix="pida-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage", "--force-prefers-reduced-motion", "--lang=es",
                    "--user-data-dir=" + self.profile, "--window-size=%d,%d" % DESKTOP):
            options.add_argument(arg)
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(60)

    def quit(self):
        self.driver.quit()
        shutil.rmtree(self.profile, ignore_errors=True)

    # navigation
    def get(self, path: str):
        self.driver.get(self.base + path)
        self.wait_ready()

    def wait_ready(self):
        """Waits until the page is loaded and CKAN's JavaScript modules are initialised (they start only once the
        translations have arrived): typing into a field before that bypasses them (the URL slug, say)."""
        state = ("return [document.readyState, window.jQuery ? jQuery.active : 0, !!document.querySelector('[data-module]'),"
                 " window.ckan && ckan.module ? Object.keys(ckan.module.instances).length : 0]")
        try:
            WebDriverWait(self.driver, 30).until(lambda d: (lambda s: s[0] == "complete" and s[1] == 0 and
                                                           (not s[2] or s[3] > 0))(d.execute_script(state)))
        except Exception:
            raise AssertionError("page {} not ready: {}".format(self.path, self.driver.execute_script(state)))

    @property
    def path(self) -> str:
        return self.driver.current_url[len(self.base):]

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def text(self, css: str = "body") -> str:
        return self.find(css).text

    def wait_text(self, css: str, text: str, timeout: int = 10) -> str:
        """Waits until an element matching ``css`` contains ``text``; returns the texts seen."""
        def seen(d):
            return " | ".join(e.text for e in d.find_elements(By.CSS_SELECTOR, css))
        try:
            # The page may be replaced while it is read (a redirect after the click): read it again then.
            WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
                lambda d: text in seen(d))
        except Exception:
            raise AssertionError("{!r} not in {} on {}: {!r}".format(text, css, self.path, seen(self.driver)))
        return seen(self.driver)

    def click(self, element_or_css):
        element = self.find(element_or_css) if isinstance(element_or_css, str) else element_or_css
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        element.click()

    def click_text(self, text: str, css: str = "a, button"):
        for element in self.find_all(css):
            if element.text.strip() == text:
                return self.click(element)
        raise AssertionError("nothing clickable reads {!r}; seen: {}".format(
            text, [e.text.strip() for e in self.find_all(css) if e.text.strip()]))

    def fill(self, css: str, value: str):
        """Types into the field once it can take keys: a row the page's script has just added may still be
        sliding in, or outside the viewport of a narrow window."""
        WebDriverWait(self.driver, 10).until(
            lambda d: any(e.is_displayed() and e.is_enabled() for e in d.find_elements(By.CSS_SELECTOR, css)))
        element = next(e for e in self.find_all(css) if e.is_displayed())
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
        element.clear()
        element.send_keys(value)

    def select(self, css: str, value: str):
        self.driver.execute_script(
            "var s = document.querySelector(arguments[0]); s.value = arguments[1];"
            "s.dispatchEvent(new Event('change', {bubbles: true}));", css, value)

    def submit(self, css: str = "form#dataset-edit button[name=save].btn-primary, "
                                "form#resource-edit button[name=save].btn-primary"):
        """Presses the form's main button and waits for the next page."""
        old = self.driver.find_element(By.TAG_NAME, "html")
        self.click(css)
        WebDriverWait(self.driver, 30).until(lambda d: old != d.find_element(By.TAG_NAME, "html"))
        self.wait_ready()

    def resize(self, width: int, height: int):
        self.driver.set_window_size(width, height)

    def login(self, name: str, password: str = PASSWORD, lang: str = "es"):
        self.get("/{}/user/login".format(lang))
        self.fill("#field-login", name)
        self.fill("#field-password", password)
        self.click("form button[type=submit].btn-primary")
        WebDriverWait(self.driver, 30).until(lambda d: "/user/login" not in d.current_url)
        self.wait_ready()

    def screenshot(self, path: str, full_page: bool = True):
        """A PNG of the page; full_page grows the window to the page's height first."""
        if full_page:
            width = self.driver.get_window_size()["width"]
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(width, min(height + 140, 6000))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        self.driver.save_screenshot(path)

    def axe(self, impacts=("serious", "critical")) -> list[dict]:
        """The axe-core violations of the page at these impacts, as {id, impact, help, targets}."""
        with open(AXE, encoding="utf-8") as f:
            self.driver.execute_script(f.read())
        self.driver.set_script_timeout(60)
        result = self.driver.execute_async_script(
            "var done = arguments[arguments.length - 1];"
            "axe.run(document, {resultTypes: ['violations']}).then(function (r) { done(JSON.stringify(r)); },"
            " function (e) { done(JSON.stringify({error: String(e)})); });")
        result = json.loads(result)
        assert "error" not in result, result
        return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "targets": [n["target"] for n in v["nodes"]][:5]}
                for v in result["violations"] if v["impact"] in impacts]

    def overflowing(self, limit: int = 8) -> list[str]:
        """The innermost elements that reach past the window's right edge (to say what makes a page scroll); those
        inside a box that scrolls (a wide table in .table-responsive) do not widen the page."""
        return self.driver.execute_script(
            "var w = document.documentElement.clientWidth, out = [];"
            # an absolutely positioned element escapes a scrolling box that is not its containing block
            "function scrolled(e) { var p = getComputedStyle(e).position, start = (p === 'absolute' || p === 'fixed')"
            "  ? e.offsetParent : e.parentElement;"
            "  for (var a = start; a && a !== document.body; a = a.parentElement) {"
            "  if (['auto', 'scroll'].indexOf(getComputedStyle(a).overflowX) >= 0) return true; } return false; }"
            "function past(e) { var r = e.getBoundingClientRect(); return r.width && r.right > w + 0.5 && !scrolled(e); }"
            "document.querySelectorAll('body *').forEach(function (e) {"
            "  if (past(e) && !Array.from(e.children).some(past)) { var r = e.getBoundingClientRect();"
            "    out.push(e.tagName.toLowerCase() + (e.className && e.className.baseVal === undefined ?"
            "      '.' + String(e.className).trim().split(/\\s+/).join('.') : '') + ' in ' +"
            "      (e.parentElement.className || e.parentElement.tagName) + ' (' + Math.round(r.right - w) + ' px)'); } });"
            "return out.slice(0, arguments[0]);", limit)

    def horizontal_overflow(self) -> int:
        """How many pixels the page is wider than the window (0: nothing hidden to the right)."""
        return self.driver.execute_script(
            "return Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)")


@pytest.fixture
def browser(live_server):
    b = Browser(live_server.url)
    yield b
    b.quit()


#: The marks of a browser test on Colombia's demo portal (the PIDA plugins, the portal's country).
PORTAL_CO_MARKS = [pytest.mark.ckan_config("ckan.plugins", PORTAL_PLUGINS),
                   pytest.mark.ckan_config("ckanext.pida.country", "CO"),
                   pytest.mark.usefixtures("with_plugins", "clean_index")]


def org_member(user_name: str, org_name: str, org_title: str, capacity: str = "editor") -> dict:
    """A user who signs in with PASSWORD, member of a new organisation: ``{"user", "org"}``."""
    from ckan.tests import factories
    user = factories.User(name=user_name, password=PASSWORD)
    org = factories.Organization(name=org_name, title=org_title, users=[{"name": user["name"], "capacity": capacity}])
    return {"user": user, "org": org}


def assert_accessible(browser: Browser, what: str):
    violations = browser.axe()
    assert not violations, "axe-core on {} ({}): {}".format(what, browser.path, json.dumps(violations, indent=1))
