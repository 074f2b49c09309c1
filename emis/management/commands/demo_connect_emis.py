"""Point the EMIS connection at the local sandbox (embedded-defaults demo)."""

from django.core.management.base import BaseCommand

from emis.models import EmisConnection


class Command(BaseCommand):
    help = "Configure and activate the EMIS connection with the sandbox's account."

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8001")
        parser.add_argument("--api-login", default="pms-api")
        parser.add_argument("--api-password", default="sandbox-api-secret")
        parser.add_argument("--web-login", default="pms-web")
        parser.add_argument("--web-password", default="sandbox-web-secret")

    def handle(self, *args, **options):
        connection = EmisConnection.load()
        connection.base_url = options["base_url"]
        connection.api_login = options["api_login"]
        connection.api_password = options["api_password"]
        connection.web_login = options["web_login"]
        connection.web_password = options["web_password"]
        connection.is_active = True
        connection.save()
        self.stdout.write(f"EMIS connection → {connection.base_url} (active)")
