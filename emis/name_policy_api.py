"""REST API of the name policy."""

urlpatterns: list = []
