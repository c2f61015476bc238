from django.core.management.base import BaseCommand

from center import registry


class Command(BaseCommand):
    help = "Load the demo data of every app (idempotent: running it twice changes nothing)."

    def handle(self, *args, **options):
        for loader in registry.demo_loaders():
            loader.load(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo data loaded"))
