from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    HEAD_OFFICE = "head_office", _("总行")
    BRANCH = "branch", _("分行")
    SUB_BRANCH = "sub_branch", _("支行")
    OUTLET = "outlet", _("网点")


# The level each kind sits at; a child is always exactly one level below its parent.
ORG_LEVEL = {OrgKind.HEAD_OFFICE: 0, OrgKind.BRANCH: 1, OrgKind.SUB_BRANCH: 2, OrgKind.OUTLET: 3}


class Role(models.TextChoices):
    ADVISOR = "advisor", _("财富顾问")
    ACCOUNT_MANAGER = "account_manager", _("客户经理")
    HALL_STAFF = "hall_staff", _("大堂经理")
    BRANCH_MANAGER = "branch_manager", _("支行长/分行私行中心负责人")
    HEAD_OFFICE = "head_office", _("总行私人银行部")
    ADMIN = "admin", _("系统管理员")


# Roles that own client relationships and see their own records only.
RELATIONSHIP_ROLES = frozenset({Role.ADVISOR, Role.ACCOUNT_MANAGER})
# Roles that see everything, bank-wide.
BANK_WIDE_ROLES = frozenset({Role.HEAD_OFFICE, Role.ADMIN})
# Roles that steer others' work: branch managers and the bank-wide roles.
MANAGER_ROLES = frozenset({Role.BRANCH_MANAGER, *BANK_WIDE_ROLES})
# Everyone who works with client data; hall staff never see clients' assets (PRODUCT.md "Who uses it").
CLIENT_DATA_ROLES = frozenset(set(Role) - {Role.HALL_STAFF})
