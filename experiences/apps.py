from django.apps import AppConfig


class ExperiencesConfig(AppConfig):
    name = "experiences"

    def ready(self) -> None:
        # The résumé experience type joins the photo job's makers (the photo pipeline is a
        # layer below experiences.resume and cannot import it).
        from experiences.resume import job

        job.register()
