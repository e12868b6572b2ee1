from django.urls import path

from . import views

app_name = "rubrics"
urlpatterns = [
    path("", views.library, name="library"),
    path("import/", views.import_rubrics, name="import"),
    path("template.xlsx", views.template, name="template"),
    path("<slug:slug>/<str:version>/", views.version_detail, name="version"),
    path("<slug:slug>/<str:version>/scoring/", views.version_scoring, name="scoring"),
    path("<slug:slug>/<str:version>/download/", views.version_download, name="download"),
    path("<slug:slug>/<str:version>/workbook/", views.version_workbook, name="workbook"),
]
