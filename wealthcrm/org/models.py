from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Concat, Substr
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from wealthcrm.org import scope
from wealthcrm.org.choices import BANK_WIDE_ROLES, ORG_LEVEL, OrgKind, Role


class OrgUnitQuerySet(models.QuerySet):
    def subtree(self, unit: "OrgUnit"):
        """The unit and all its descendants: one indexed prefix match on the materialised path."""
        return self.filter(path__startswith=unit.path)

    def visible_to(self, user):
        return self.filter(scope.directory_q(user, org_field=None))


class OrgUnit(models.Model):
    """A node of the bank's organisation: 总行 → 分行 → 支行 → 网点.

    ``path`` is a materialised path of zero-padded ids (``000001/000004/``) so that a subtree is one
    ``LIKE 'prefix%'`` query on an index, at any depth.
    """

    code = models.CharField(_("机构代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("层级"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, editable=False, db_index=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("机构")
        verbose_name_plural = _("机构")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="org_unit_path_like", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=OrgKind.HEAD_OFFICE, parent__isnull=True) | (~Q(kind=OrgKind.HEAD_OFFICE) & Q(parent__isnull=False)),
                name="org_unit_only_head_office_is_root",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        new_path = (self.parent.path if self.parent_id else "") + f"{self.pk:06d}/"
        if new_path != self.path:
            old_path, self.path = self.path, new_path
            OrgUnit.objects.filter(pk=self.pk).update(path=new_path)
            if old_path:  # moved: re-root the whole subtree in one statement
                OrgUnit.objects.filter(path__startswith=old_path).exclude(pk=self.pk).update(
                    path=Concat(Value(new_path), Substr("path", len(old_path) + 1))
                )

    @property
    def level(self) -> int:
        return ORG_LEVEL[self.kind]

    def clean(self):
        if self.parent_id is None:
            if self.kind != OrgKind.HEAD_OFFICE:
                raise ValidationError({"parent": _("只有总行可以没有上级机构。")})
            return
        if ORG_LEVEL[self.kind] != ORG_LEVEL[self.parent.kind] + 1:
            raise ValidationError(
                {"kind": _("%(kind)s 不能直接隶属于 %(parent)s。")
                 % {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}}
            )
        if self.pk and self.parent.is_within(self):
            raise ValidationError({"parent": _("上级机构不能是本机构或其下级。")})

    @property
    def lineage_ids(self) -> list[int]:
        """Ids from the root (head office) down to this unit itself, read off the path: no query."""
        return [int(part) for part in self.path.strip("/").split("/")]

    @cached_property
    def subtree_ids(self) -> list[int]:
        """Ids of the unit and its descendants (one query, then kept on this instance — a request's user's unit):
        a literal list lets PostgreSQL combine indexes on columns holding unit ids, which a subquery does not."""
        return list(OrgUnit.objects.subtree(self).order_by("pk").values_list("pk", flat=True))

    def is_within(self, root: "OrgUnit | None") -> bool:
        """Whether this unit lies in ``root``'s subtree (``root`` itself included)."""
        return bool(root) and self.path.startswith(root.path)

    def ancestor_of_kind(self, kind: str) -> "OrgUnit | None":
        """The unit itself or its ancestor of ``kind`` (e.g. the branch above an outlet). Kept on this instance, as
        ``subtree_ids`` is: a request asks it of its user's unit once per filter and serializer field that scopes
        a directory (three times for one client list)."""
        found = self.__dict__.setdefault("_ancestors_of_kind", {})
        if kind not in found:
            found[kind] = OrgUnit.objects.filter(pk__in=self.lineage_ids, kind=kind).first()
        return found[kind]


class StaffQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(scope.directory_q(user))


class StaffManager(UserManager.from_queryset(StaffQuerySet)):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        # A superuser has the admin role and needs no org unit (ARCHITECTURE.md).
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class Staff(AbstractUser):
    """A member of staff: the system's user. Role and org unit decide what they may see (``org.scope``)."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.ADVISOR)
    org_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("所属机构"), null=True, blank=True, on_delete=models.PROTECT, related_name="staff"
    )

    objects = StaffManager()

    class Meta:
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=Q(org_unit__isnull=False) | Q(role__in=sorted(BANK_WIDE_ROLES)),
                name="staff_org_unit_required_below_head_office",
            ),
        ]

    def __str__(self):
        return self.display_name or self.username

    @property
    def effective_role(self) -> str:
        return Role.ADMIN if self.is_superuser else self.role

    def has_role(self, *roles: str) -> bool:
        return self.effective_role in roles


class SignInGuard(models.Model):
    """Consecutive failed sign-ins per username, and the lock they trigger (API.md "Sign-in protection").

    Kept in PostgreSQL, not in process memory, so every web process and the token endpoint share one count.
    """

    username = models.CharField(max_length=150, unique=True)
    failures = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    # Addresses the counted failures came from: they get no exemption from the lock.
    failed_addresses = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("登录保护")
        verbose_name_plural = _("登录保护")

    def __str__(self):
        return self.username


class TrustedSignInAddress(models.Model):
    """An address a user has signed in from with the right password.

    While a username is locked (someone else guessing its password), its owner still signs in from an
    address they have used before and that did not take part in the failures: the lock stops the guessing
    without locking the owner out (org.services.sign_in_refusal).
    """

    username = models.CharField(max_length=150)
    address = models.GenericIPAddressField()
    last_success_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["username", "address"], name="trusted_sign_in_address_once"),
        ]

    def __str__(self):
        return f"{self.username} @ {self.address}"


class ApiToken(models.Model):
    """An API token (API.md "Security"): one per sign-in, kept only as its SHA-256 digest.

    It lapses after ``settings.API_TOKEN_IDLE_DAYS`` without use and is deleted when its owner's password
    changes, when its owner is deactivated, or on ``POST /api/v1/auth/logout/``.
    """

    digest = models.CharField(max_length=64, unique=True)
    staff = models.ForeignKey(Staff, on_delete=models.CASCADE, related_name="api_tokens")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField()

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self):
        return f"{self.staff} · {self.created_at:%Y-%m-%d %H:%M}"
