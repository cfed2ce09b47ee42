"""Create the clerk group and, if no clerk exists yet, one clerk account."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand

CLERK_GROUP = "clerk"
CLERK_APPS = ("records", "people")


def ensure_clerk_group() -> Group:
    """The clerks' group: every permission on the portal's records, none on users."""
    group, _ = Group.objects.get_or_create(name=CLERK_GROUP)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=CLERK_APPS))
    return group


class Command(BaseCommand):
    help = "Create the clerk group and a first clerk account (printing its password once)."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="clerk")

    def handle(self, *args, username, **options):
        group = ensure_clerk_group()
        User = get_user_model()
        if User.objects.filter(groups=group).exists() or User.objects.filter(username=username).exists():
            self.stdout.write("A clerk account exists already; nothing created.")
            return
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(username=username, password=password, is_staff=True)
        user.groups.add(group)
        self.stdout.write(f"Clerk account created. Username: {username}  Password: {password}")
        self.stdout.write("The password is shown only this once; change it after logging in.")
