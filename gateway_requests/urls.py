from django.urls import path

from . import views

app_name = "gateway"

urlpatterns = [
    path("catalog/", views.catalog, name="catalog"),
    path("systems/", views.systems, name="systems"),
    path("systems/<int:pk>/", views.system_edit, name="system_edit"),
    path("systems/<int:pk>/delete/", views.system_delete, name="system_delete"),
    path("people/", views.people, name="people"),
    path("people/<int:pk>/", views.person_edit, name="person_edit"),
    path("people/<int:pk>/delete/", views.person_delete, name="person_delete"),
]
