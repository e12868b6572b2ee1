"""The offline fill-in workbook; included inside the "reports" namespace."""

from django.urls import path

from . import workbook_views

urlpatterns = [
    path("<int:assessment_id>/workbook.xlsx", workbook_views.download, name="workbook"),
    path("<int:assessment_id>/workbook/upload/", workbook_views.upload, name="workbook_upload"),
]
