from django.urls import path

from . import views

app_name = "panels"

rate = views.RateWizard.as_view(url_name="panels:rate_step")

urlpatterns = [
    path("<int:assessment_id>/", views.panel_page, name="panel"),
    path("<int:assessment_id>/disagreement/", views.disagreement, name="disagreement"),
    path("<int:assessment_id>/rate/", rate, name="rate"),
    path("<int:assessment_id>/rate/<str:step>/", rate, name="rate_step"),
]
