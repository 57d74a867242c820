"""The second factor in a real browser: someone who knows a director's password, and only
that, logs in, then tries the set-up page and a replacement of the director's phone instead
of typing a code. Every door but the code page and the logout stays shut; the code opens
them. And the pages run under the Content-Security-Policy without a refusal."""

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from knox.models import AuthToken

from organisations.models import Role
from tests.factories import DEFAULT_PASSWORD, AssociationFactory, MembershipFactory, log_entry

pytestmark = pytest.mark.django_db(transaction=True)

VERIFY = re.compile(r".*/account/two-factor/verify/.*")


def code_of(device, later=0):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.drift = later
    return str(totp.token()).zfill(device.digits)


@pytest.fixture
def director_with_phone():
    association = AssociationFactory(slug="asbl-e2e-2fa", name="ASBL de Forest")
    user = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    return user


def log_in_with_the_password(page, base, user):
    page.goto(f"{base}/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(VERIFY)


def test_a_password_alone_does_not_reach_the_second_factor_set_up(
    live_server, browser, screenshot, director_with_phone, settings
):
    # The attacker's wrong code below would otherwise hold the director's code up a second.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    base = live_server.url
    victim = director_with_phone
    page = browser.new_page(locale="fr-BE")
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)

    # Given the attacker typed the victim's e-mail and password: the code is asked
    log_in_with_the_password(page, base, victim)
    assert page.locator("input[name=token]").is_visible()

    # when they open the set-up page instead, they are sent back to the code, with no secret
    page.goto(f"{base}/account/two-factor/")
    assert VERIFY.match(page.url)
    assert "otpauth://" not in page.content()
    screenshot(page, "2fa-01-setup-refused")

    # and a replacement of the phone, posted from this browser with its session and CSRF
    # token and a code made from a secret of their own, is refused and changes nothing
    pending = TOTPDevice.objects.create(user=victim, name="totp", confirmed=False)
    csrf = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    replaced = page.request.post(
        f"{base}/account/two-factor/",
        form={"csrfmiddlewaretoken": csrf, "token": code_of(pending), "next": "/"},
        headers={"Referer": f"{base}/account/two-factor/verify/"},
        max_redirects=0,
    )
    assert replaced.status == 302
    assert "/account/two-factor/verify/" in replaced.headers["location"]
    assert set(TOTPDevice.objects.filter(user=victim, confirmed=True).values_list("name")) == {
        ("phone",)
    }

    # then no page, no API call and no token follows
    for path in ("/", "/persons/", "/workload/", "/account/settings/", "/admin/"):
        page.goto(f"{base}{path}")
        assert VERIFY.match(page.url), path
    assert page.request.get(f"{base}/api/v1/persons/").status == 403
    token = page.request.post(
        f"{base}/api/v1/auth/token/",
        data={"email": victim.email, "password": DEFAULT_PASSWORD, "otp": code_of(pending)},
    )
    assert token.status == 400
    assert not AuthToken.objects.filter(user=victim).exists()

    # The director's own code, typed on the code page, opens the pages (and the set-up).
    page.goto(f"{base}/account/two-factor/verify/?next=/workload/")
    page.fill("input[name=token]", code_of(TOTPDevice.objects.get(user=victim, name="phone")))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/workload/")
    page.goto(f"{base}/account/two-factor/")
    assert "otpauth://" in page.content()
    screenshot(page, "2fa-02-setup-after-the-code")
    assert problems == []


def test_the_pages_run_under_the_content_security_policy(
    live_server, browser, screenshot, settings
):
    """No page breaks the policy: the browser reports every refused script or style."""
    # Production's policy, without the eval that the other browser tests' waits need.
    settings.CONTENT_SECURITY_POLICY = settings.PRODUCTION_CONTENT_SECURITY_POLICY
    association = AssociationFactory(slug="asbl-e2e-csp", name="ASBL d'Ixelles")
    director = MembershipFactory(organisation=association, role=Role.DIRECTOR).user
    entry = log_entry(association)
    base = live_server.url
    page = browser.new_page(locale="fr-BE")
    refused = []

    def note(message):
        if "Content Security Policy" in message.text or message.text.startswith("CSP refused"):
            refused.append(message.text)

    page.on("console", note)
    page.on("pageerror", lambda error: refused.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP refused ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.goto(f"{base}/login/")
    page.fill("#id_username", director.email)
    page.fill("#id_password", DEFAULT_PASSWORD)
    page.keyboard.press("Enter")
    # A director lands on the dashboard.
    page.wait_for_url(f"{base}/workload/")

    for path in ("/", "/persons/", "/workload/", "/account/settings/", "/audit/"):
        policy = page.goto(f"{base}{path}").headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe" not in policy, path
        assert page.locator("main").is_visible(), path
    page.goto(f"{base}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .information-container", timeout=20_000)
    screenshot(page, "csp-01-api-docs")
    page.goto(f"{base}/entries/{entry.pk}/receipt/")
    page.evaluate("window.print = () => { window.printed = true; }")
    page.click("button[data-print]")
    assert page.evaluate("window.printed === true")

    assert refused == []
