from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class IntegrationsConfig(AppConfig):
    name = "firmpay.integrations"
    label = "integrations"

    def ready(self) -> None:
        from firmpay.integrations.banners import banners_forget_for_row
        from firmpay.payments.models import PaymentAccount
        from firmpay.payouts.models import Payout

        for model in (PaymentAccount, Payout):
            post_save.connect(banners_forget_for_row, sender=model, dispatch_uid=f"banners-{model}")
            post_delete.connect(
                banners_forget_for_row, sender=model, dispatch_uid=f"banners-del-{model}"
            )
