from django.urls import path

from . import views

app_name = "benchmarks"
urlpatterns = [
    path("compare/", views.compare, name="compare"),
    path("releases/<int:version_id>/<int:cycle_id>/", views.releases, name="releases"),
    path("compare/<int:assessment_id>/<str:domain_code>/", views.drill_down, name="drill_down"),
]
