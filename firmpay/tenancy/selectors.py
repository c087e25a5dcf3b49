from firmpay.tenancy.models import Membership


def membership_current(*, user, firm_id) -> Membership | None:
    """The member's chosen firm, or their first one when none (or a foreign one) is chosen."""
    memberships = Membership.objects.filter(user=user).select_related("firm").order_by("id")
    if firm_id is not None:
        chosen = memberships.filter(firm_id=firm_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def memberships_for_user(*, user):
    return Membership.objects.filter(user=user).select_related("firm").order_by("firm__name")


def members_of_firm(*, firm):
    return Membership.objects.filter(firm=firm).select_related("user").order_by("user__email")
