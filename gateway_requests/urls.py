from django.urls import path

from . import views, views_wizard

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

urlpatterns += [
    path("gsb/<str:tracking_code>/", views_wizard.gsb_edit, name="gsb_edit"),
    path("gsb/<str:tracking_code>/step/<int:step>/", views_wizard.gsb_step, name="gsb_step"),
    path("permit/<str:tracking_code>/", views_wizard.permit_edit, name="permit_edit"),
    path(
        "permit/<str:tracking_code>/step/<int:step>/",
        views_wizard.permit_step,
        name="permit_step",
    ),
]
