"""manage.py support_user_create EMAIL: a Firmpay support member (is_staff, not superuser;
Firmpay has no Django admin). Asks for the password, or reads it from stdin with
--password-stdin; an existing user is made support staff."""

import getpass
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from firmpay.support.services import support_user_create


class Command(BaseCommand):
    help = "Create a Firmpay support member (back office at /support/), or make a user one."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="Read the password from the first line of stdin (for scripts).",
        )
        parser.add_argument(
            "--keep-password",
            action="store_true",
            help="For an existing user: do not ask for a new password.",
        )

    def handle(self, *args, email, password_stdin, keep_password, **options):
        password = None
        if password_stdin:
            password = sys.stdin.readline().rstrip("\n")
        elif not keep_password:
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        try:
            user, created = support_user_create(email=email, password=password or None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        except ValueError as error:
            raise CommandError(str(error)) from error
        verb = "Created" if created else "Made"
        self.stdout.write(f"{verb} support member {user.email}: sign in and open /support/.")
