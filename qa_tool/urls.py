from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from qa_tool import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("qa_tool.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("rubrics/", include("rubrics.urls")),
    path("assessments/", include("qa_tool.assessments.urls")),
    path("benchmarks/", include("qa_tool.benchmarks.urls")),
    path("actions/", include("qa_tool.actions.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
