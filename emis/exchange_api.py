"""REST API of the EMIS exchange: webhook, upload link, pull jobs."""

urlpatterns: list = []
