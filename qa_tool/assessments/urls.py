from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("<int:assessment_id>/", views.assessment_score, name="score"),
]
