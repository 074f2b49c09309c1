from django.urls import path

from pms.views import placeholder

app_name = "legal_entities"
urlpatterns = [path("", placeholder, name="list")]
