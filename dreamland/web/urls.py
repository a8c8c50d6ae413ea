from __future__ import annotations

from django.urls import path

from dreamland.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_page, name="login"),
    path("logout/", views.logout_page, name="logout"),
    path("account/language/", views.language_set, name="language_set"),
]
