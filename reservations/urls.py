from django.urls import path

from pms.views import placeholder

app_name = "reservations"
urlpatterns = [path("reservations/", placeholder, name="list")]
