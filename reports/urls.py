from django.urls import include, path

from . import views

app_name = "reports"
urlpatterns = [
    path("<int:assessment_id>/report.<str:fmt>", views.assessment_report, name="report"),
    path("compare.xlsx", views.comparison_export, name="compare_xlsx"),
    path("", include("reports.workbook_urls")),
]
