from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:session_id>/end/", views.session_end, name="session_end"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("sign-ins/", views.sign_ins, name="sign_ins"),
]
