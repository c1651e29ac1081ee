from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "lisplan.demo"
    verbose_name = "Demodata"
