from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qa_tool import views
from qa_tool.accounts.forms import PersonLanguagePasswordResetForm
from qa_tool.accounts.language import set_language
from qa_tool.accounts.views import PasswordResetView
from qa_tool.assessments.urls import urlpatterns as assessment_urls
from reports.results import results

# The results page sits with the assessment's other pages in the URL space, though its view
# lives in reports (beside the report context it renders): the assessments package must not
# import reports.
assessment_patterns = [
    path("<int:assessment_id>/", results, name="score"),
    *assessment_urls,
]

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("first-run/", views.first_run, name="first_run"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password-reset/",
        PasswordResetView.as_view(
            form_class=PersonLanguagePasswordResetForm,
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "account/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "account/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "account/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("account/", include("qa_tool.accounts.urls")),
    # Before Django's own: the switcher also updates a signed-in person's preference.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("rubrics/", include("rubrics.urls")),
    path("assessments/", include((assessment_patterns, "assessments"))),
    path("benchmarks/", include("qa_tool.benchmarks.urls")),
    path("actions/", include("qa_tool.actions.urls")),
    path("units/", include("qa_tool.units.urls")),
    path("panels/", include("qa_tool.panels.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
