from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qa_tool import views
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
    path("favicon.ico", views.favicon, name="favicon"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("qa_tool.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("rubrics/", include("rubrics.urls")),
    path("assessments/", include((assessment_patterns, "assessments"))),
    path("benchmarks/", include("qa_tool.benchmarks.urls")),
    path("actions/", include("qa_tool.actions.urls")),
    path("units/", include("qa_tool.units.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
