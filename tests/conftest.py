"""Shared fixtures. CKAN's own pytest plugin (ckan.tests.pytest_ckan) provides with_plugins, clean_db,
clean_index, reset_db, app, migrate_db_for...; the fixtures of ckanext-pida go here."""
import copy

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

PORTAL_PLUGINS = "pida scheming_datasets dcat"


@pytest.fixture
def pida_vocab(clean_db, with_plugins, migrate_db_for):
    """A clean portal with the pida tables (`ckan db upgrade -p pida`: the withdrawals are recorded on every
    dataset update) and the pida_priority vocabulary installed, as `ckan pida init` does."""
    migrate_db_for("pida")
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return helpers.call_action("pida_vocabulary_sync", {"user": site_user["name"]})


@pytest.fixture
def org(pida_vocab):
    return factories.Organization(name="ministerio-de-transparencia", title="Ministerio de Transparencia")


FULL_DATASET = {
    "name": "registro-de-cabilderos",
    "title": "Registro de cabilderos",
    "notes": "Personas y empresas inscritas para gestionar intereses ante el Congreso, con sus reuniones.",
    "pida_priority": ["lobbying-register"],
    "pida_stages": ["prevention", "detection"],
    "tag_string": "cabildeo,transparencia",
    "language": [
        "http://publications.europa.eu/resource/authority/language/SPA",
        "http://publications.europa.eu/resource/authority/language/ENG",
    ],
    "contact": [{"name": "Oficina de Transparencia", "email": "datos@transparencia.example.gov",
                 "url": "https://transparencia.example.gov/contacto"}],
    "publisher": [{"name": "Ministerio de Transparencia", "url": "https://transparencia.example.gov"}],
    "frequency": "http://publications.europa.eu/resource/authority/frequency/MONTHLY",
    "issued": "2024-01-15",
    "modified": None,  # filled with today's date by the fixture
    "temporal_coverage": [{"start": "2020-01-01", "end": "2025-12-31"}],
    "pida_country": "CO",
    "pida_jurisdiction": "national",
    "license_id": "cc-by",
    "access_rights": "http://publications.europa.eu/resource/authority/access-right/PUBLIC",
    "pida_legal_basis": "Ley 2309 de 2023 (registro público de cabilderos), artículo 5.",
    "pida_personal_data": "yes",
    "pida_anonymisation": "Se suprimen números de documento y direcciones de personas naturales.",
    "pida_standards": ["popolo"],
    "pida_identifier_schemes": ["tax-id", "national-person-id"],
    "documentation": ["https://transparencia.example.gov/cabilderos/guia"],
    "resources": [{
        "url": "https://transparencia.example.gov/cabilderos.csv",
        "name": "cabilderos.csv",
        "format": "CSV",
        "documentation": ["https://transparencia.example.gov/cabilderos/diccionario"],
    }],
}


@pytest.fixture
def full_dataset(org):
    """The dict of a fully described PIDA priority dataset (every principle met), not yet created."""
    import datetime
    data = copy.deepcopy(FULL_DATASET)
    data["owner_org"] = org["id"]
    data["modified"] = datetime.date.today().isoformat()
    return data


class _Mailbox:
    """What a real SMTP server on 127.0.0.1 received (aiosmtpd): CKAN's mailer talks SMTP to it."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        import email
        from email import policy
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append({"to": list(envelope.rcpt_tos), "subject": str(message["subject"]),
                              "body": message.get_body(("plain",)).get_content()})
        return "250 OK"


@pytest.fixture
def smtp_server(ckan_config, monkeypatch):
    """An SMTP server on loopback that keeps what it receives; ``smtp.server`` points CKAN at it."""
    import socket
    from aiosmtpd.controller import Controller
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    mailbox = _Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", "127.0.0.1:%d" % port)
    monkeypatch.setitem(ckan_config, "smtp.mail_from", "portal@transparencia.example.gov")
    yield mailbox
    controller.stop()


@pytest.fixture
def no_rate_counts():
    """The citizens' requests' rate limit counts in Redis for an hour: each test starts from none of this site's."""
    from ckan.lib.redis import connect_to_redis
    redis = connect_to_redis()
    keys = redis.keys("{}:pida:requests:*".format(tk.config.get("ckan.site_id")))
    if keys:
        redis.delete(*keys)
