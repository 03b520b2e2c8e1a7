"""The public front door: /about/, /rules/, /faq/, /support/, /contact/ and the
registration choice /register/ (payam/views_pages.py)."""

from django.urls import path

from payam import views_pages

app_name = "pages"

urlpatterns = [
    path("about/", views_pages.about, name="about"),
    path("rules/", views_pages.rules, name="rules"),
    path("faq/", views_pages.faq, name="faq"),
    path("support/", views_pages.support, name="support"),
    path("contact/", views_pages.contact, name="contact"),
    path("register/", views_pages.register, name="register"),
]
