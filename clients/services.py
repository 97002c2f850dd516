"""Business operations on clients: create/update (with personal data), reveal, reassign, contacts, AUM.

Views, API viewsets, imports, the demo seeder and other apps call these; none of them re-implements a rule.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clients.models import CallbackPlan, Client, Contact, Reassignment
from wealthcrm.audit import services as audit
from wealthcrm.audit.choices import AuditAction
from wealthcrm.crypto import blind_index
from wealthcrm.org import scope
from wealthcrm.org.choices import BANK_WIDE_ROLES, MANAGER_ROLES, RELATIONSHIP_ROLES, Role
from wealthcrm.tiering import CENTRE_TIERS, advisor_fits_tier

# Personal data: written encrypted, with the blind index kept in step (see wealthcrm.crypto).
PERSONAL_FIELDS = {"id_number": "id_number_hash", "phone": "phone_hash"}
CLIENT_EDITABLE = {
    "client_no", "name", "id_number", "phone", "birth_date", "gender", "occupation", "risk_level",
    "risk_assessed_on", "investment_preferences", "tags", "acquisition_channel", "org_unit", "advisor",
    "household", "household_relation", "company", "company_role", "investable_assets", "contribution",
}


def normalise_personal(value: str | None) -> str:
    return "".join((value or "").split()).upper()


def set_personal_data(client: Client, *, id_number=None, phone=None) -> None:
    """Set ID/phone and their hashes together; ``None`` leaves a field as it is."""
    if id_number is not None:
        client.id_number = normalise_personal(id_number)
        client.id_number_hash = blind_index(client.id_number)
    if phone is not None:
        client.phone = normalise_personal(phone)
        client.phone_hash = blind_index(client.phone)


def _save_client(client: Client) -> None:
    try:
        client.full_clean(exclude=["id_number_hash", "phone_hash"])
    except ValidationError as exc:
        # Model messages may quote the value; personal fields must never echo it back.
        raise ValidationError({field: [_("格式不正确。")] if field in PERSONAL_FIELDS else msgs
                               for field, msgs in exc.message_dict.items()}) from None
    client.save()


@transaction.atomic
def create_client(*, actor, request=None, **fields) -> Client:
    unknown = set(fields) - CLIENT_EDITABLE
    if unknown:
        raise ValidationError({name: [_("不可设置。")] for name in sorted(unknown)})
    role = actor.effective_role
    # Front-line staff create clients in their own unit, as their own advisor (the default for everyone in it).
    fields.setdefault("org_unit", actor.org_unit)
    if role in RELATIONSHIP_ROLES:
        fields.setdefault("advisor", actor)
    if fields.get("org_unit") is None:
        raise ValidationError({"org_unit": [_("请选择所属机构。")]})
    scope.check_client_placement(actor, org_unit=fields["org_unit"], advisor=fields.get("advisor"))
    id_number, phone = fields.pop("id_number", None), fields.pop("phone", None)
    client = Client(**fields)
    set_personal_data(client, id_number=id_number or "", phone=phone or "")
    _save_client(client)
    audit.record(action=AuditAction.CREATE, actor=actor, obj=client, client=client, request=request)
    return client


@transaction.atomic
def update_client(*, client: Client, actor, request=None, **changes) -> Client:
    """Change a client the actor can see; placement changes follow the same rules as creation."""
    unknown = set(changes) - CLIENT_EDITABLE
    if unknown:
        raise ValidationError({name: [_("不可修改。")] for name in sorted(unknown)})
    if actor.effective_role == Role.HALL_STAFF:
        raise PermissionDenied
    if "org_unit" in changes or "advisor" in changes:
        new_unit = changes.get("org_unit", client.org_unit)
        new_advisor = changes.get("advisor", client.advisor)
        if new_unit != client.org_unit or new_advisor != client.advisor:
            scope.check_client_placement(actor, org_unit=new_unit, advisor=new_advisor)
    changed = []
    for field, value in changes.items():
        if field in PERSONAL_FIELDS:
            value = normalise_personal(value)
            if blind_index(value) != getattr(client, PERSONAL_FIELDS[field]):
                set_personal_data(client, **{field: value})
                changed.append(field)
        elif getattr(client, field) != value:
            setattr(client, field, value)
            changed.append(field)
    if changed:
        _save_client(client)
        # Field names only: the values of personal data never go into the trail.
        audit.record(action=AuditAction.UPDATE, actor=actor, obj=client, client=client,
                     detail={"fields": sorted(changed)}, request=request)
    return client


def can_reveal(*, client: Client, actor) -> bool:
    """The client's own advisor, and head office/admin, may see a number in clear; managers see it masked."""
    return actor.effective_role in BANK_WIDE_ROLES or (client.advisor_id is not None and client.advisor_id == actor.pk)


def reveal_personal_data(*, client: Client, field: str, actor, request=None) -> str:
    if field not in PERSONAL_FIELDS:
        raise ValidationError({"field": [_("只能查看证件号码或手机号。")]})
    if not can_reveal(client=client, actor=actor):
        raise PermissionDenied
    audit.record(action=AuditAction.REVEAL, actor=actor, obj=client, client=client,
                 detail={"field": field}, request=request)
    return getattr(client, field)


def record_client_view(*, client: Client, actor, request=None, via: str = "page") -> None:
    audit.record(action=AuditAction.VIEW, actor=actor, obj=client, client=client, detail={"via": via},
                 request=request)


@transaction.atomic
def reassign_client(*, client: Client, advisor, actor, request=None) -> Client:
    """Give a client a new advisor (managers, within their scope); audited."""
    if not actor.has_role(*MANAGER_ROLES):
        raise PermissionDenied
    if not Client.objects.visible_to(actor).filter(pk=client.pk).exists():
        raise PermissionDenied
    errors = []
    if not scope.serves_clients(advisor):
        errors.append(_("管户顾问须为在职的财富顾问或客户经理。"))
    elif not scope.assignable_advisors(actor).filter(pk=advisor.pk).exists():
        errors.append(_("所选顾问不在您的管辖范围内。"))
    elif not advisor_fits_tier(advisor=advisor, tier=client.tier):
        if client.tier in CENTRE_TIERS:
            errors.append(_("总行级、分行级客户应由分行私人银行中心的顾问管户。"))
        else:
            errors.append(_("支行级客户应由支行或网点的顾问、客户经理管户。"))
    if errors:
        raise ValidationError({"advisor": errors})
    previous = client.advisor_id
    if previous != advisor.pk:
        client.advisor = advisor
        client.save(update_fields=["advisor", "updated_at"])
        Reassignment.objects.create(client=client, org_unit_id=client.org_unit_id, from_advisor_id=previous,
                                    to_advisor=advisor, actor=actor, at=timezone.now())
        audit.record(action=AuditAction.UPDATE, actor=actor, obj=client, client=client, request=request,
                     detail={"fields": ["advisor"], "from_advisor": previous, "to_advisor": advisor.pk})
    return client


def log_contact(*, client: Client, staff, channel: str, purpose: str, occurred_at: datetime, summary: str = "",
                effective: bool = True, next_action_at: datetime | None = None) -> Contact:
    """Record one contact with a client (接触记录). ``staff`` is who made it, i.e. the caller: the client's own
    advisor, or a manager or head office whose scope holds the client (``scope.may_record_contact``)."""
    if not scope.may_record_contact(staff, client):
        raise PermissionDenied
    errors = {}
    if occurred_at and occurred_at > timezone.now() + timedelta(minutes=5):
        errors["occurred_at"] = [_("接触时间不能晚于现在。")]
    if next_action_at and occurred_at and next_action_at <= occurred_at:
        errors["next_action_at"] = [_("下次跟进时间应晚于接触时间。")]
    contact = Contact(client=client, staff=staff, channel=channel, purpose=purpose, occurred_at=occurred_at,
                      summary=summary or "", effective=effective, next_action_at=next_action_at)
    try:
        contact.full_clean(exclude=["client", "staff"])
    except ValidationError as exc:
        for field, msgs in exc.message_dict.items():
            errors.setdefault(field, []).extend(msgs)
    if errors:
        raise ValidationError(errors)
    contact.save()
    return contact


# --- callback plans ---------------------------------------------------------------------------------------------

PLAN_TAKEN = gettext_lazy("该机构该层级在此日期已有回访计划，请选择其他日期。")


def create_callback_plan(*, actor, tier: str, org_unit, effective_from: date, interval_days: int,
                         large_sale_threshold: Decimal, large_sale_days: int, satisfaction_months: int) -> CallbackPlan:
    """Add a callback plan from a day on (rows are never edited: past figures stay explainable by their plan).

    ``org_unit`` None is the bank's default for the tier (head office); a unit's plan overrides it for the
    clients of that branch or sub-branch (``scope.may_set_callback_plan`` says who may set which). A plan
    starts today or later: a past day would rewrite figures already reported.
    """
    if not scope.may_set_callback_plan(actor, org_unit):
        if org_unit is None or not actor.has_role(*MANAGER_ROLES):
            raise PermissionDenied
        raise ValidationError({"org_unit": [_("只能为本人管辖范围内的分行或支行制定回访计划。")]})
    errors = {}
    if effective_from and effective_from < timezone.localdate():
        errors["effective_from"] = [_("生效日期不能早于今天。")]
    elif CallbackPlan.objects.filter(tier=tier, org_unit=org_unit, effective_from=effective_from).exists():
        errors["effective_from"] = [PLAN_TAKEN]
    plan = CallbackPlan(tier=tier, org_unit=org_unit, effective_from=effective_from, interval_days=interval_days,
                        large_sale_threshold=large_sale_threshold, large_sale_days=large_sale_days,
                        satisfaction_months=satisfaction_months, created_by=actor)
    for field, value in (("interval_days", interval_days), ("large_sale_days", large_sale_days),
                         ("satisfaction_months", satisfaction_months), ("large_sale_threshold", large_sale_threshold)):
        if value is not None and value <= 0:
            errors.setdefault(field, []).append(_("必须大于 0。"))
    try:
        plan.full_clean(exclude=["org_unit", "created_by", *errors], validate_constraints=False)
    except ValidationError as exc:
        for field, msgs in exc.message_dict.items():
            errors.setdefault(field, []).extend(msgs)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError:  # the same plan saved at the same moment by someone else
        raise ValidationError({"effective_from": [PLAN_TAKEN]}) from None
    return plan


# --- AUM ------------------------------------------------------------------------------------------------------

def _upsert_counts(*, total: int, inserted: list[bool]) -> dict:
    """Counts of an ``ON CONFLICT ... WHERE IS DISTINCT FROM ... RETURNING (xmax = 0)`` upsert of ``total`` rows:
    a returned row was created (true) or changed (false); rows not returned were unchanged."""
    created = sum(inserted)
    updated = len(inserted) - created
    return {"created": created, "updated": updated, "unchanged": total - created - updated}


# A row without the feed's 月日均 (null) keeps the one already stored for that day.
_UPSERT_SNAPSHOTS = """
INSERT INTO clients_aumsnapshot (client_id, as_of, aum, avg_daily_aum)
SELECT * FROM unnest(%s::bigint[], %s::date[], %s::numeric[], %s::numeric[])
ON CONFLICT (client_id, as_of) DO UPDATE
    SET aum = EXCLUDED.aum, avg_daily_aum = COALESCE(EXCLUDED.avg_daily_aum, clients_aumsnapshot.avg_daily_aum)
    WHERE (clients_aumsnapshot.aum, clients_aumsnapshot.avg_daily_aum)
          IS DISTINCT FROM (EXCLUDED.aum, COALESCE(EXCLUDED.avg_daily_aum, clients_aumsnapshot.avg_daily_aum))
RETURNING (xmax = 0) AS inserted
"""

# The latest snapshot of each touched client becomes its current AUM, in one statement.
_REFRESH_CLIENT_AUM = """
UPDATE clients_client AS c SET aum = s.aum, aum_as_of = s.as_of, updated_at = now()
FROM (
    SELECT DISTINCT ON (client_id) client_id, as_of, aum FROM clients_aumsnapshot
    WHERE client_id = ANY(%s::bigint[]) ORDER BY client_id, as_of DESC
) AS s
WHERE c.id = s.client_id AND (c.aum IS DISTINCT FROM s.aum OR c.aum_as_of IS DISTINCT FROM s.as_of)
"""


@transaction.atomic
def upsert_aum_snapshots(rows: Iterable[tuple[int, date, Decimal, Decimal | None]]) -> dict:
    """Upsert ``(client_id, as_of, aum, avg_daily_aum)`` rows (keys must be unique within the call; the feed's
    月日均 may be None) and make each touched client's ``aum``/``aum_as_of`` its latest snapshot. Returns counts:
    created, updated (value changed), unchanged."""
    rows = list(rows)
    if not rows:
        return {"created": 0, "updated": 0, "unchanged": 0}
    client_ids, days, amounts, averages = (list(col) for col in zip(*rows, strict=True))
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_SNAPSHOTS, [client_ids, days, amounts, averages])
        flags = [row[0] for row in cursor.fetchall()]
        cursor.execute(_REFRESH_CLIENT_AUM, [sorted(set(client_ids))])
    return _upsert_counts(total=len(rows), inserted=flags)


# A later file without a maturity keeps the one already stored (as 月日均 does for snapshots).
_UPSERT_SALES = """
INSERT INTO clients_productsale (client_id, sold_on, product_category, amount, fee_income, advisor_id, matures_on)
SELECT * FROM unnest(%s::bigint[], %s::date[], %s::varchar[], %s::numeric[], %s::numeric[], %s::bigint[],
                     %s::date[])
ON CONFLICT (client_id, sold_on, product_category, amount) DO UPDATE
    SET fee_income = EXCLUDED.fee_income, advisor_id = EXCLUDED.advisor_id,
        matures_on = COALESCE(EXCLUDED.matures_on, clients_productsale.matures_on)
    WHERE (clients_productsale.fee_income, clients_productsale.advisor_id, clients_productsale.matures_on)
          IS DISTINCT FROM (EXCLUDED.fee_income, EXCLUDED.advisor_id,
                            COALESCE(EXCLUDED.matures_on, clients_productsale.matures_on))
RETURNING (xmax = 0) AS inserted
"""


@transaction.atomic
def upsert_sales(rows: Iterable[tuple]) -> dict:
    """Upsert ``(client_id, sold_on, category, amount, fee_income, advisor_id, matures_on)`` by the sale's natural
    key (``matures_on`` may be None)."""
    rows = list(rows)
    if not rows:
        return {"created": 0, "updated": 0, "unchanged": 0}
    columns = [list(col) for col in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(_UPSERT_SALES, columns)
        flags = [row[0] for row in cursor.fetchall()]
    return _upsert_counts(total=len(rows), inserted=flags)


CLIENT_IMPORT_FIELDS = ["name", "id_number", "phone", "birth_date", "risk_level", "org_unit_id", "advisor_id"]


@transaction.atomic
def upsert_clients(rows: list[dict]) -> dict:
    """Upsert clients by ``client_no`` from import rows (``client_no``, ``name``, ``org_unit_id`` and optional
    ``id_number``, ``phone``, ``birth_date``, ``risk_level``, ``advisor_id``; an optional value left out or
    ``None`` keeps what the client has). Unchanged rows are not written at all."""
    if not rows:
        return {"created": 0, "updated": 0, "unchanged": 0}
    existing = {c.client_no: c for c in Client.objects.filter(client_no__in=[r["client_no"] for r in rows])}
    new, changed, unchanged = [], [], 0
    for row in rows:
        client = existing.get(row["client_no"])
        if client is None:
            client = Client(client_no=row["client_no"], name=row["name"], org_unit_id=row["org_unit_id"],
                            advisor_id=row.get("advisor_id"), birth_date=row.get("birth_date"),
                            risk_level=row.get("risk_level") or "")
            set_personal_data(client, id_number=row.get("id_number") or "", phone=row.get("phone") or "")
            new.append(client)
            continue
        dirty = False
        for field in ("name", "org_unit_id", "advisor_id", "birth_date", "risk_level"):
            value = row.get(field)
            if value not in (None, "") and getattr(client, field) != value:
                setattr(client, field, value)
                dirty = True
        for field, hash_field in PERSONAL_FIELDS.items():
            value = row.get(field)
            if value and blind_index(value) != getattr(client, hash_field):
                set_personal_data(client, **{field: value})
                dirty = True
        if dirty:
            changed.append(client)
        else:
            unchanged += 1
    now = timezone.now()
    for client in changed:
        # Written through INSERT ... ON CONFLICT (client_no) below, so the row id comes from the conflict.
        client.pk, client.updated_at = None, now
    Client.objects.bulk_create(new + changed, batch_size=1000, update_conflicts=True, unique_fields=["client_no"],
                               update_fields=["name", "org_unit", "advisor", "birth_date", "risk_level", "id_number",
                                              "id_number_hash", "phone", "phone_hash", "updated_at"])
    return {"created": len(new), "updated": len(changed), "unchanged": unchanged}
