"""HTTPS deliveries go to the address that was checked, yet TLS still names the URL's
host: SNI and the certificate check use ``hooks.test``, not 127.0.0.1. A certificate for
another name is refused (a connection problem, tried again later)."""

from __future__ import annotations

import datetime
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from accounts.tests.factories import ResellerFactory
from webhooks import delivery, services, tasks
from webhooks.tests.test_delivery import make_endpoint

pytestmark = pytest.mark.django_db


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _certificate(subject, issuer, key, signer, *, ca: bool, names=()):
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
        )
    return builder.sign(signer, hashes.SHA256())


@pytest.fixture
def tls_receiver(tmp_path):
    """An https receiver on 127.0.0.1 with a certificate for ``hooks.test`` from a CA of
    its own; yields (port, CA bundle path, what it received and the SNI it was asked)."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate(_name("Test CA"), _name("Test CA"), ca_key, ca_key, ca=True)
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate(
        _name("hooks.test"), ca.subject, key, ca_key, ca=False, names=["hooks.test"]
    )
    (tmp_path / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    seen = {"bodies": [], "sni": []}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            seen["bodies"].append(self.rfile.read(int(self.headers["Content-Length"])))
            seen.setdefault("hosts", []).append(self.headers["Host"])
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "leaf.key")
    context.sni_callback = lambda sock, name, ctx: seen["sni"].append(name)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], str(tmp_path / "ca.pem"), seen
    server.shutdown()
    server.server_close()


@pytest.fixture
def names_to_loopback(monkeypatch):
    """``*.test`` names resolve to 127.0.0.1 (the names asked are kept); anything else as
    usual. The socket module is shared: the HTTP library's own look-ups come here too."""
    real, asked = socket.getaddrinfo, []

    def getaddrinfo(host, port, *args, **kwargs):
        if str(host).endswith(".test"):
            asked.append(host)
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(delivery.socket, "getaddrinfo", getaddrinfo)
    return asked


def _deliver(url):
    reseller = ResellerFactory()
    make_endpoint(reseller, url)
    _event, [row] = services.on_announced(None, "transfer.succeeded", reseller.path, {})
    tasks.deliver(row.pk)
    row.refresh_from_db()
    return row


def test_it_checks_the_certificate_for_the_host_name_at_the_checked_address(
    settings, tls_receiver, names_to_loopback
):
    port, bundle, seen = tls_receiver
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_CA_BUNDLE = bundle
    row = _deliver(f"https://hooks.test:{port}/in")
    assert (row.status, row.answer_code) == ("succeeded", 204)
    assert seen["sni"] == ["hooks.test"] and seen["hosts"] == [f"hooks.test:{port}"]
    assert len(seen["bodies"]) == 1
    # The name was resolved once, by the check; the connection went to the address.
    assert names_to_loopback == ["hooks.test"]


def test_it_refuses_a_certificate_for_another_name(settings, tls_receiver, names_to_loopback):
    port, bundle, seen = tls_receiver
    settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOKS_CA_BUNDLE = bundle
    row = _deliver(f"https://elsewhere.test:{port}/in")
    assert (row.status, row.answer_code, row.problem) == ("pending", None, "connection")
    assert seen["bodies"] == []
