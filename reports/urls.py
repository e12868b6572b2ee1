from django.urls import include, path

from . import job_views, views

app_name = "reports"
urlpatterns = [
    path("<int:assessment_id>/report.<str:fmt>", views.assessment_report, name="report"),
    path("compare.xlsx", views.comparison_export, name="compare_xlsx"),
    path("exports/", job_views.export_list, name="exports"),
    path("exports/batch", job_views.export_batch, name="export_batch"),
    path("exports/<uuid:job_id>/download", job_views.export_download, name="export_download"),
    path("", include("reports.workbook_urls")),
]
