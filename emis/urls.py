app_name = "emis"
urlpatterns: list = []
