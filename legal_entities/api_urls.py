from rest_framework.routers import SimpleRouter

from .api import LegalEntityViewSet

router = SimpleRouter()
router.register("legal-entities", LegalEntityViewSet, basename="api-legal-entity")

urlpatterns = router.urls
