"""/review/…: the ITO expert's desk and the agency-registration review
(agencies/views_review.py). 404 for everyone else."""

from django.urls import path

from . import views_broadcasts, views_review

app_name = "review"

urlpatterns = [
    path("", views_review.desk, name="desk"),
    path("agencies/", views_review.queue, name="agencies"),
    path("agencies/<str:tracking_code>/", views_review.detail, name="agency"),
    path("agencies/<str:tracking_code>/assign/", views_review.assign, name="agency_assign"),
    path("agencies/<str:tracking_code>/approve/", views_review.approve, name="agency_approve"),
    path("agencies/<str:tracking_code>/reject/", views_review.reject, name="agency_reject"),
    path("agencies/<str:tracking_code>/return/", views_review.send_back, name="agency_return"),
    path(
        "agencies/<str:tracking_code>/api-limit/", views_review.api_limit, name="agency_api_limit"
    ),
    path(
        "agencies/<str:tracking_code>/broadcast/",
        views_broadcasts.review_agency_broadcast,
        name="agency_broadcast",
    ),
    path("broadcasts/", views_broadcasts.review_queue, name="broadcasts"),
    path("broadcasts/<str:code>/", views_broadcasts.review_detail, name="broadcast"),
    path(
        "broadcasts/<str:code>/confirm/", views_broadcasts.review_confirm, name="broadcast_confirm"
    ),
    path("broadcasts/<str:code>/reject/", views_broadcasts.review_reject, name="broadcast_reject"),
]
