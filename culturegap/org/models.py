"""Companies, teams, people and their roles, the service catalog, customers and what they buy."""

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

# ISO 4217 codes a company may keep its money in: the common ones (no currency library is
# installed to check the full list).
CURRENCIES = (
    ("GBP", "Pound sterling"),
    ("EUR", "Euro"),
    ("USD", "US dollar"),
    ("CHF", "Swiss franc"),
    ("CAD", "Canadian dollar"),
    ("AUD", "Australian dollar"),
    ("NZD", "New Zealand dollar"),
    ("JPY", "Japanese yen"),
    ("CNY", "Chinese yuan"),
    ("HKD", "Hong Kong dollar"),
    ("SGD", "Singapore dollar"),
    ("INR", "Indian rupee"),
    ("SEK", "Swedish krona"),
    ("NOK", "Norwegian krone"),
    ("DKK", "Danish krone"),
    ("PLN", "Polish złoty"),
    ("CZK", "Czech koruna"),
    ("HUF", "Hungarian forint"),
    ("ZAR", "South African rand"),
    ("BRL", "Brazilian real"),
    ("MXN", "Mexican peso"),
    ("AED", "UAE dirham"),
)


class Company(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80, unique=True)
    time_zone = models.CharField(max_length=64, default="Europe/London")
    currency = models.CharField(
        max_length=3,
        choices=CURRENCIES,
        default="GBP",
        help_text="ISO 4217 code of the currency its money figures are in.",
    )
    opportunity_stale_days = models.PositiveSmallIntegerField(
        default=7, help_text="Alert when an opportunity is left untouched longer than this."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name


class TeamKind(models.TextChoices):
    SALES = "sales", "Sales"
    SERVICE = "service", "Customer service"
    SUPPORT = "support", "Technical support"
    MARKETING = "marketing", "Marketing"
    PROFESSIONAL = "professional", "Professional"
    OTHER = "other", "Other"


# Team kinds whose people are Customer Relationship Professionals (everyone but sales).
CRP_TEAM_KINDS = frozenset(
    {TeamKind.SERVICE, TeamKind.SUPPORT, TeamKind.MARKETING, TeamKind.PROFESSIONAL}
)


class Team(models.Model):
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=TeamKind.choices)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="team_name_unique_in_company")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sales(self) -> bool:
        return self.kind == TeamKind.SALES


class Role(models.TextChoices):
    """A person's roles; the value is the code used in CSV files and URLs."""

    EXECUTIVE = "executive", "Executive"
    ADMIN = "admin", "Program admin"
    MANAGER = "manager", "Manager"
    CRP = "crp", "Customer relationship professional"
    SALES = "sales", "Salesperson"


# Role code → the Person field that holds it.
ROLE_FIELDS = {
    Role.EXECUTIVE: "is_executive",
    Role.ADMIN: "is_program_admin",
    Role.MANAGER: "is_manager",
    Role.CRP: "is_crp",
    Role.SALES: "is_salesperson",
}


class PersonManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A person needs an e-mail address.")
        person = self.model(email=self.normalize_email(email).lower(), **fields)
        person.set_password(password)
        person.save(using=self._db)
        return person

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("name", email)
        return self.create_user(email, password, is_staff=True, is_superuser=True, **fields)


class Person(AbstractBaseUser, PermissionsMixin):
    """A member of staff with a login. Platform operators (superusers) have no company."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="people", null=True, blank=True
    )
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200)
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, related_name="members", null=True, blank=True
    )
    manager = models.ForeignKey(
        "self", on_delete=models.SET_NULL, related_name="reports", null=True, blank=True
    )
    is_executive = models.BooleanField(default=False)
    is_program_admin = models.BooleanField(default=False)
    is_manager = models.BooleanField(default=False)
    is_crp = models.BooleanField(default=False)
    is_salesperson = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin site.")
    date_joined = models.DateTimeField(default=timezone.now)

    objects = PersonManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["company", "manager"])]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def roles(self) -> list[str]:
        return [role for role, field in ROLE_FIELDS.items() if getattr(self, field)]

    def has_role(self, role: str) -> bool:
        return bool(getattr(self, ROLE_FIELDS[role], False))

    def role_labels(self) -> list[str]:
        return [Role(role).label for role in self.roles]


class Service(models.Model):
    """One line of the company's catalog."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="services")
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    annual_value = models.DecimalField(
        max_digits=12, decimal_places=2, help_text="Typical revenue per customer per year."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="service_code_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """An account: a client organisation or person the company serves."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="customers")
    external_id = models.CharField(max_length=80)
    name = models.CharField(max_length=200)
    sales_owner = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_customers"
    )
    since = models.DateField()
    serving_team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="served_customers",
        help_text="The CRP team that serves this customer day to day.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "external_id"], name="customer_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Contact(models.Model):
    """A person at a customer whom the company talks to (and may survey)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    is_primary = models.BooleanField(default=True)

    class Meta:
        ordering = ["-is_primary", "name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "email"], name="contact_email_unique")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.customer})"


class CustomerService(models.Model):
    """A service a customer buys, from ``started_on`` until ``ended_on`` (open while null)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="services")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="customers")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["started_on"]
        indexes = [models.Index(fields=["company", "ended_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ended_on__isnull=True)
                | models.Q(ended_on__gte=models.F("started_on")),
                name="service_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.service}"

    @property
    def is_active(self) -> bool:
        return self.ended_on is None or self.ended_on > timezone.localdate()
