"""The product's URLs plus one page that crashes, for the 500 page's test."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from pms import urls as pms_urls

handler400, handler403 = pms_urls.handler400, pms_urls.handler403
handler404, handler500 = pms_urls.handler404, pms_urls.handler500


@login_not_required
def crash(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [path("crash/", crash), *pms_urls.urlpatterns]
