from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmisConfig(AppConfig):
    name = "emis"
    verbose_name = _("EMIS Service")

    def ready(self) -> None:
        from integrations import registry
        from pms.middleware import add_form_action_source
        from reservations.signals import name_scripts_wanted, person_merging

        from .conflicts import conflicts_follow_merge
        from .connection.connector import CONNECTOR
        from .connection.selectors import form_action_urls
        from .deliveries.status import rejected_deliveries_status
        from .names.policy import policy_scripts
        from .sync_status import sync_status

        # A merge of duplicate persons carries their conflicts along.
        person_merging.connect(conflicts_follow_merge, dispatch_uid="emis-conflicts")
        # The Гости tab, the board, the card and the API name a guest whose
        # name is not in the policy's script (reservations/name_scripts.py).
        name_scripts_wanted.connect(policy_scripts, dispatch_uid="emis-name-scripts")
        registry.register(CONNECTOR)
        registry.add_status_provider("emis", sync_status)
        registry.add_status_provider("emis", rejected_deliveries_status)
        # The upload link redirects a guest-card form to EMIS.
        add_form_action_source(form_action_urls)
