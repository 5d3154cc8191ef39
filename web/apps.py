from django.apps import AppConfig

from web import pages


class WebConfig(AppConfig):
    name = "web"
    verbose_name = "Web"

    def ready(self):
        # Every area's pages, loaded once: a page declared twice stops the start-up.
        pages.discover()
