from django.urls import path

from . import people_views, views

app_name = "accounts"
urlpatterns = [
    path("sessions/", views.sessions, name="sessions"),
    path("sessions/<int:session_id>/end/", views.session_end, name="session_end"),
    path("sessions/end-others/", views.sessions_end_others, name="sessions_end_others"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("sign-ins/", views.sign_ins, name="sign_ins"),
    path("profile/", people_views.profile, name="profile"),
    path("people/", people_views.people, name="people"),
    path("institutions/", people_views.institutions, name="institutions"),
    path("institutions/new/", people_views.institution_new, name="institution_new"),
    path("institutions/import/", people_views.institutions_upload, name="institutions_import"),
    path(
        "institutions/<int:institution_id>/people/",
        people_views.institution_people,
        name="institution_people",
    ),
    path(
        "institutions/<int:institution_id>/people/<int:user_id>/deactivate/",
        people_views.person_deactivate,
        name="person_deactivate",
    ),
    path("invitation/<str:token>/", people_views.accept, name="invitation_accept"),
]
