from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.i18n import set_language
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import api, views

# JSON under /api/, Django's pages elsewhere (pms/api.py).
handler400, handler403 = api.handler400, api.handler403
handler404, handler500 = api.handler404, api.handler500



class SchemaView(api.JsonErrors, SpectacularAPIView):
    pass


class SwaggerView(api.JsonErrors, SpectacularSwaggerSplitView):
    pass


urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("admin/", admin.site.urls),
    path("", include("reservations.urls")),
    path("legal-entities/", include("legal_entities.urls")),
    path("integrations/", include("integrations.urls")),
    path("emis/", include("emis.urls")),
    path("personal-data/", include("personal_data.urls")),
    path("api/v1/", include("pms.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path(
        "api/schema/swagger/",
        # The split view serves its start-up script as a second request, so
        # the page needs no inline script under the CSP.
        SwaggerView.as_view(
            url_name="api-schema", template_name="api/swagger_ui.html"
        ),
        name="api-swagger",
    ),
    # Last: no other /api/ path matched (pms/api.py).
    re_path(r"^api/", api.not_an_api_path, name="api-not-found"),
]
