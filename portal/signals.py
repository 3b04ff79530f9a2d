"""Sign-in events into the audit log (auth and axes must not know the audit log)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .audit import LOCKED_OUT, SIGN_IN, SIGN_IN_FAILED, SIGN_OUT, audit_record


@receiver(user_logged_in)
def _signed_in(sender, request, user, **kwargs):
    audit_record(action=SIGN_IN, actor=user, request=request)


@receiver(user_logged_out)
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        audit_record(action=SIGN_OUT, actor=user, request=request)


@receiver(user_login_failed)
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    audit_record(
        action=SIGN_IN_FAILED,
        actor_label=str(credentials.get("username", ""))[:254],
        request=request,
    )


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    audit_record(action=LOCKED_OUT, actor_label=str(username or "")[:254], request=request)
