from django.core.management.base import BaseCommand

from booth.demo import seed_demo


class Command(BaseCommand):
    help = "Create the demo event (8 stations and displays, device accounts, base images)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--device-password", help="Use this password for every device.")
        parser.add_argument("--admin-password", help="Password for a new 'admin' superuser.")

    def handle(self, *args, device_password=None, admin_password=None, **options) -> None:
        accounts = seed_demo(device_password, admin_password)
        self.stdout.write(self.style.SUCCESS(f"Demo event ready: {accounts.event}"))
        self.stdout.write("Tablet logins (one per device, each feeds its own display):")
        for username, password in accounts.devices.items():
            self.stdout.write(f"  {username:10} {password}")
        if accounts.admin_password:
            self.stdout.write(f"Staff login for /admin/: admin {accounts.admin_password}")
