from django.urls import path

from . import views

app_name = "actions"
urlpatterns = [
    path("<int:assessment_id>/", views.plan, name="plan"),
    path("<int:assessment_id>/generate/", views.generate, name="generate"),
    path("item/<int:item_id>/", views.item_update, name="item_update"),
    path("item/<int:item_id>/comment/", views.item_comment, name="item_comment"),
]
