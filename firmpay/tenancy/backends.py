"""The authentication backend: Django's ModelBackend (email and password, active users only),
reading the signed-in user of each request together with their memberships and firms.

Every page of the firm's app needs the user, their membership of the session's firm and
that firm. ModelBackend reads the user, then `CurrentFirmMiddleware` read the membership
and firm: two queries per request. Here one query reads the memberships joined to the user
and the firm (`user.signed_in_memberships`, oldest first), and the middleware picks the
session's firm from them; for a user with no firm (support staff) it is the user query.
Nothing is kept between requests: Django still checks the session's password hash on the
user read here, an inactive user is refused, and a membership removed since the last
request is simply not read.
"""

from django.contrib.auth.backends import ModelBackend

from firmpay.tenancy.models import Membership

PATH = "firmpay.tenancy.backends.MemberBackend"


class MemberBackend(ModelBackend):
    def get_user(self, user_id):
        memberships = list(
            Membership.objects.filter(user_id=user_id).select_related("user", "firm").order_by("id")
        )
        if not memberships:
            user = super().get_user(user_id)
            if user is not None:
                user.signed_in_memberships = []
            return user
        user = memberships[0].user
        for membership in memberships:
            membership.user = user  # one user object, as `request.user`
        user.signed_in_memberships = memberships
        return user if self.user_can_authenticate(user) else None
