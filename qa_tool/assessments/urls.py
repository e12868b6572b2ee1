from django.urls import path

from . import views
from .wizard import FillWizard

fill = FillWizard.as_view(url_name="assessments:fill_step")

urlpatterns = [
    path("start/", views.assessment_start_view, name="start"),
    path("<int:assessment_id>/fill/", fill, name="fill"),
    path("<int:assessment_id>/fill/<str:step>/", fill, name="fill_step"),
    path("<int:assessment_id>/history/", views.assessment_history, name="history"),
    path(
        "<int:assessment_id>/evidence/<int:evidence_id>/",
        views.evidence_download,
        name="evidence",
    ),
    path("review/", views.review_queue, name="review_queue"),
    path("<int:assessment_id>/review/", views.review_assessment, name="review"),
]
