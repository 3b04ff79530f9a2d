import os
import secrets
import subprocess
import sys
from pathlib import Path

from django.conf import settings


def test_production_profile_passes_check_deploy():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "dmn.example.com,.dmn.example.com",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_profile_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production", DJANGO_ALLOWED_HOSTS="x.example"
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_no_page_links_a_cdn():
    """Plants run on networks without internet: every asset is served by the portal."""
    for folder in ("templates", "portal/static"):
        for root, _dirs, files in os.walk(settings.BASE_DIR / folder):
            for name in files:
                path = Path(root) / name
                text = path.read_text(encoding="utf-8", errors="ignore")
                assert "https://" not in text and "http://cdn" not in text, path
