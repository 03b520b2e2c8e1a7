"""docker-compose.yml, the Makefile's `serve` and the reverse proxy's config, read
as an operator would (there is no Docker here): only the proxy is published, it
caps bodies at the figure Django enforces and appends the client's address, and
gunicorn trusts no forwarded header from just anyone. With nginx installed, the
rendered config also passes `nginx -t`."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
COMPOSE = (ROOT / "docker-compose.yml").read_text()
TEMPLATE = ROOT / "deploy" / "nginx" / "default.conf.template"


def service(name: str) -> str:
    """The text of one docker-compose service, up to the next one."""
    match = re.search(rf"^  {name}:\n(.*?)(?=^  \S|^\S|\Z)", COMPOSE, re.M | re.S)
    assert match, name
    return match.group(1)


def test_only_the_proxy_publishes_a_port():
    published = re.findall(r"^  (\S+):\n(?:(?!^  \S).)*?^    ports:", COMPOSE, re.M | re.S)
    assert published == ["proxy"]
    assert '"443:443"' in service("proxy")
    assert "8000:8000" not in COMPOSE
    assert "expose:" in service("web")


def test_the_app_trusts_exactly_the_compose_proxy():
    assert "TRUSTED_PROXY_COUNT: ${TRUSTED_PROXY_COUNT:-1}" in COMPOSE
    template = TEMPLATE.read_text()
    assert "proxy_set_header X-Forwarded-For   $proxy_add_x_forwarded_for;" in template
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in template
    assert "server web:8000;" in template


def test_gunicorn_no_longer_trusts_forwarded_headers_from_anyone():
    serve = re.search(r"^serve:.*?(?=^\S)", (ROOT / "Makefile").read_text(), re.M | re.S)
    assert serve and "gunicorn" in serve.group(0)
    assert "forwarded-allow-ips" not in serve.group(0)


def test_the_body_cap_is_one_figure_for_the_proxy_and_the_app():
    default = re.findall(r"REQUEST_BODY_MAX_BYTES: \$\{REQUEST_BODY_MAX_BYTES:-(\d+)\}", COMPOSE)
    assert len(default) == 2  # the app's environment and the proxy's
    assert set(default) == {str(10 * 10 * 1024 * 1024 + 1024 * 1024)}
    assert "client_max_body_size ${REQUEST_BODY_MAX_BYTES};" in TEMPLATE.read_text()
    assert 'NGINX_ENVSUBST_FILTER: "^REQUEST_BODY_MAX_BYTES$$"' in service("proxy")


def test_the_tls_key_stays_out_of_git_and_the_image():
    assert "/deploy/tls/*.pem" in (ROOT / ".gitignore").read_text().splitlines()
    assert "deploy/tls" in (ROOT / ".dockerignore").read_text().splitlines()


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_the_rendered_config_passes_nginx_t(tmp_path):
    """The template as the nginx image renders it, checked by nginx itself (the
    upstream host `web` exists only on the compose network, so it is renamed)."""
    rendered = TEMPLATE.read_text().replace("${REQUEST_BODY_MAX_BYTES}", "105906176")
    rendered = rendered.replace("server web:8000;", "server 127.0.0.1:8000;")
    rendered = rendered.replace("/etc/nginx/tls/", f"{tmp_path}/")
    assert "${" not in rendered
    subprocess.run(  # noqa: S603 — fixed arguments
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=localhost",
            "-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem"),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    (tmp_path / "default.conf").write_text(rendered)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        "events { worker_connections 16; }\n"
        f"http {{ include {tmp_path}/default.conf; }}\n"
    )
    result = subprocess.run(  # noqa: S603 — fixed arguments
        ["nginx", "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)],  # noqa: S607
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
