from django.urls import path

from . import views

app_name = "legal_entities"
urlpatterns = [
    path("", views.entity_list, name="list"),
    path("add/", views.entity_form, name="add"),
    path("<id:pk>/", views.entity_form, name="edit"),
]
