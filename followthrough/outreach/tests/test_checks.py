"""The start-up check that warns when campaign email would carry an http:// one-click
unsubscribe address."""

from typing import Any

from django.core.management import call_command

from followthrough.outreach.checks import SMTP_BACKEND, base_url_is_https


def test_it_warns_when_smtp_mail_would_carry_an_http_unsubscribe_address(settings: Any) -> None:
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.BASE_URL = "http://crm.spokechain.test"
    [warning] = base_url_is_https()
    assert warning.id == "followthrough.W001"
    assert "http://crm.spokechain.test" in warning.msg


def test_it_is_quiet_for_https_or_when_mail_goes_to_files(settings: Any) -> None:
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.BASE_URL = "https://crm.spokechain.test"
    assert base_url_is_https() == []
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.BASE_URL = "http://127.0.0.1:8000"
    assert base_url_is_https() == []


def test_manage_check_shows_it(settings: Any, capsys: Any) -> None:
    settings.EMAIL_BACKEND = SMTP_BACKEND
    settings.BASE_URL = "http://crm.spokechain.test"
    call_command("check")
    assert "followthrough.W001" in capsys.readouterr().err
