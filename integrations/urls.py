from django.urls import path

from pms.views import placeholder

app_name = "integrations"
urlpatterns = [path("", placeholder, name="list")]
