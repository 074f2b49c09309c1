from rest_framework.routers import SimpleRouter

from .api import LegalEntityViewSet

# IDs through the "id" converter (pms/ids.py): a path with a
# number no row can have is a 404, not a database overflow.
router = SimpleRouter(use_regex_path=False)
router.register("legal-entities", LegalEntityViewSet, basename="api-legal-entity")

urlpatterns = router.urls
