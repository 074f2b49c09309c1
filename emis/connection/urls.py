from django.urls import path

from . import views

app_name = "emis"
urlpatterns = [path("", views.edit, name="edit")]
