"""Staff users: agents, managers and admins, logging in by email."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from dreamland.accounts.permissions import role_has_module_perms, role_has_perm
from dreamland.lib.choices import Currency, Language
from dreamland.lib.models import TimestampedModel, enum_check


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    MANAGER = "manager", _("Manager")
    ADMIN = "admin", _("Admin")


def normalize_email(email: str) -> str:
    """The one spelling of a login email: trimmed and lower-cased (logins match it case-insensitively)."""
    return email.strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        if not email:
            raise ValueError("Users must have an email address")
        fields.setdefault("name", email.split("@")[0])
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> User:
        fields["role"] = Role.ADMIN
        return self.create_user(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=username or "")


class User(TimestampedModel, AbstractBaseUser):
    """`users`: the password hash lives in `password_digest`; the role decides what one sees."""

    email = models.EmailField(_("email"), max_length=254, unique=True)
    name = models.CharField(_("name"), max_length=255)
    password = models.CharField(_("password"), max_length=255, db_column="password_digest")
    role = models.CharField(
        _("role"), max_length=16, choices=Role, default=Role.AGENT, db_default=Role.AGENT
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=2,
        choices=Language,
        default=Language.RU,
        db_default=Language.RU,
        null=True,
        blank=True,
    )
    preferred_currency = models.CharField(
        _("preferred currency"),
        max_length=3,
        choices=Currency,
        default=Currency.KZT,
        db_default=Currency.KZT,
        null=True,
        blank=True,
    )
    is_active = models.BooleanField(_("active"), default=True, db_default=True)
    failed_login_attempts = models.PositiveIntegerField(
        _("failed login attempts"), default=0, db_default=0, editable=False
    )
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        db_table = "users"
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            enum_check("users", "role", Role.values),
            enum_check("users", "preferred_language", Language.values),
            enum_check("users", "preferred_currency", Currency.values),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    # --- roles -------------------------------------------------------------------------------
    @property
    def is_admin(self) -> bool:
        return self.is_active and self.role == Role.ADMIN

    @property
    def is_manager(self) -> bool:
        """Managers and admins see and reassign everything."""
        return self.is_active and self.role in (Role.MANAGER, Role.ADMIN)

    @property
    def is_agent(self) -> bool:
        return self.role == Role.AGENT

    # --- what django.contrib.admin asks ------------------------------------------------------
    @property
    def is_staff(self) -> bool:
        return self.is_manager

    @property
    def is_superuser(self) -> bool:
        return self.is_admin

    def has_perm(self, perm: str, obj: object = None) -> bool:
        return role_has_perm(self, perm)

    def has_perms(self, perm_list: Any, obj: object = None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return role_has_module_perms(self, app_label)
