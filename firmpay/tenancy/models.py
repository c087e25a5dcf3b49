import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from firmpay.core.identity import email_normalise
from firmpay.core.money import CURRENCY_CHOICES
from firmpay.core.random_key import KEY_LENGTH, RandomKey, random_key

TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]
COUNTRY_CHOICES = [
    ("US", "United States"),
    ("GB", "United Kingdom"),
    ("IE", "Ireland"),
    ("CA", "Canada"),
    ("AU", "Australia"),
    ("NZ", "New Zealand"),
    ("JP", "Japan"),
    ("KW", "Kuwait"),
]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email, password, **extra):
        if not email:
            raise ValueError("Users need an email address")
        user = self.model(email=email_normalise(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def get_by_natural_key(self, username):
        """The log-in lookup, on the same normal form as the throttle (core.identity)."""
        return self.get(email=email_normalise(username))

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with their email. `is_staff` marks Firmpay support staff."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email


class Plan(models.TextChoices):
    FREE = "free", "Free"
    STANDARD = "standard", "Standard"
    PRO = "pro", "Pro"


PAID_PLANS = frozenset({Plan.STANDARD, Plan.PRO})


class Firm(models.Model):
    name = models.CharField(max_length=200)
    country = models.CharField(max_length=2, choices=COUNTRY_CHOICES, default="US")
    default_currency = models.CharField(max_length=3, choices=CURRENCY_CHOICES, default="USD")
    timezone = models.CharField(max_length=64, choices=TIMEZONE_CHOICES, default="UTC")
    plan = models.CharField(max_length=16, choices=Plan.choices, default=Plan.FREE)
    email = models.EmailField(blank=True, help_text="Where clients reply and notices go.")
    bank_details = models.TextField(
        blank=True, help_text="Shown to clients who pay by bank transfer."
    )
    payment_terms_days = models.PositiveSmallIntegerField(default=30)
    created_at = models.DateTimeField(auto_now_add=True)
    # The firm in its client portal's URLs: unguessable, so the portal cannot be walked
    # firm by firm to list who bills through Firmpay.
    portal_key = models.CharField(
        max_length=KEY_LENGTH,
        unique=True,
        default=random_key,
        db_default=RandomKey(),
        editable=False,
    )

    def __str__(self) -> str:
        return self.name

    @property
    def is_paid_plan(self) -> bool:
        return self.plan in PAID_PLANS


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    STAFF = "staff", "Staff"


MANAGER_ROLES = frozenset({Role.OWNER, Role.ADMIN})


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "firm"], name="membership_user_firm_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.firm} as {self.role}"

    @property
    def is_owner(self) -> bool:
        return self.role == Role.OWNER

    @property
    def can_manage(self) -> bool:
        """Owners and admins: kept for older templates; new checks ask `may(action)`."""
        return self.role in MANAGER_ROLES

    def may(self, action) -> bool:
        """What this member may do, from the one table in `firmpay.tenancy.roles`."""
        from firmpay.tenancy.roles import role_may

        return role_may(self.role, action)

    @property
    def permissions(self):
        from firmpay.tenancy.roles import Permissions

        return Permissions(self.role)


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        """Neither accepted nor revoked (an expired one is still pending until replaced)."""
        return self.filter(accepted_at=None, revoked_at=None)


class Invitation(models.Model):
    """An emailed invitation to join a firm. `token` holds the SHA-256 of the secret in the
    accept link, so the database alone cannot be used to accept it."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)
    token = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        constraints = [
            # One live invitation per person and firm; a new one replaces (revokes) the old.
            models.UniqueConstraint(
                "firm",
                Lower("email"),
                condition=models.Q(accepted_at=None, revoked_at=None),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.firm}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def state(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        return "expired" if self.is_expired else "pending"


class PlanChange(models.Model):
    """Each change of a firm's plan, by whom and when (the audit log holds the IP)."""

    firm = models.ForeignKey(Firm, on_delete=models.CASCADE, related_name="plan_changes")
    from_plan = models.CharField(max_length=16, choices=Plan.choices)
    to_plan = models.CharField(max_length=16, choices=Plan.choices)
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.firm}: {self.from_plan} -> {self.to_plan}"
