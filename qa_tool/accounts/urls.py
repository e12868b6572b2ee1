from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sign-ins/", views.sign_ins, name="sign_ins"),
]
