"""Sign-in, sign-out, password change and reset: the same on the hub and every partner host."""

from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .access import member_required, public_view
from .forms import SignInForm

app_name = "accounts"


def _done(name):
    return reverse_lazy(f"accounts:{name}")


urlpatterns = [
    path(
        "login/",
        public_view(
            auth_views.LoginView.as_view(
                authentication_form=SignInForm, redirect_authenticated_user=True
            )
        ),
        name="login",
    ),
    path("logout/", public_view(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "password/",
        member_required()(
            views.PasswordChangeView.as_view(success_url=_done("password_change_done"))
        ),
        name="password_change",
    ),
    path(
        "password/done/",
        member_required()(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path(
        "password/reset/",
        public_view(
            auth_views.PasswordResetView.as_view(
                success_url=_done("password_reset_done"),
                email_template_name="registration/password_reset_email.txt",
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        public_view(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        public_view(
            auth_views.PasswordResetConfirmView.as_view(
                success_url=_done("password_reset_complete")
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        public_view(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("profile/", member_required()(views.profile), name="profile"),
]
