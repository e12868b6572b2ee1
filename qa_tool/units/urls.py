from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.units, name="units"),
    path("<int:unit_id>/", views.unit_edit, name="unit"),
    path("<int:unit_id>/contributors/", views.unit_assign, name="assign"),
    path("campaigns/", views.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views.campaign, name="campaign"),
    path("rollup/", views.rollup_home, name="rollup_home"),
    path("rollup/<str:code>/", views.rollup, name="rollup"),
]
