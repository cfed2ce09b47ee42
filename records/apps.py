from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = "公报与记录"

    def ready(self) -> None:
        # The search index follows deletions through signals (records.search).
        from records import search  # noqa: F401
