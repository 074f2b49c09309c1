from django.urls import path

from . import views

app_name = "legal_entities"
urlpatterns = [
    path("", views.entity_list, name="list"),
    path("add/", views.entity_add, name="add"),
    path("<int:pk>/", views.entity_edit, name="edit"),
]
