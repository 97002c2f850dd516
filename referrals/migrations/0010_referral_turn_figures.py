from django.db import migrations, models

# A referral's SLA figures over its turns (Referral.sla_turns_due / sla_turns_met / sla_open_due_at), by the rule
# of referrals.models.sla_counted_q: recomputed from the turns whenever the referral row is written (whatever a
# caller wrote into them) and whenever its turns are, so the funnel reads them without joining the turns.
TRIGGERS = """
CREATE FUNCTION referral_turn_figures() RETURNS trigger AS $$
BEGIN
    SELECT count(*) FILTER (WHERE due_at IS NOT NULL AND (followed_up_at IS NOT NULL OR breached_at IS NOT NULL)),
           count(*) FILTER (WHERE due_at IS NOT NULL AND followed_up_at <= due_at),
           max(due_at) FILTER (WHERE ended_at IS NULL AND followed_up_at IS NULL AND breached_at IS NULL)
      INTO NEW.sla_turns_due, NEW.sla_turns_met, NEW.sla_open_due_at
      FROM referrals_referralassignment WHERE referral_id = NEW.id;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER referral_turn_figures BEFORE INSERT OR UPDATE ON referrals_referral
    FOR EACH ROW EXECUTE FUNCTION referral_turn_figures();

-- one UPDATE per statement on the turns (the referral's own trigger above recomputes the figures)
CREATE FUNCTION referral_turns_changed() RETURNS trigger AS $$
BEGIN
    UPDATE referrals_referral SET sla_turns_due = 0 WHERE id IN (SELECT referral_id FROM changed_turns);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER referral_turns_inserted AFTER INSERT ON referrals_referralassignment
    REFERENCING NEW TABLE AS changed_turns FOR EACH STATEMENT EXECUTE FUNCTION referral_turns_changed();
CREATE TRIGGER referral_turns_updated AFTER UPDATE ON referrals_referralassignment
    REFERENCING NEW TABLE AS changed_turns FOR EACH STATEMENT EXECUTE FUNCTION referral_turns_changed();
CREATE TRIGGER referral_turns_deleted AFTER DELETE ON referrals_referralassignment
    REFERENCING OLD TABLE AS changed_turns FOR EACH STATEMENT EXECUTE FUNCTION referral_turns_changed();

UPDATE referrals_referral SET sla_turns_due = 0;
"""

UNDO = """
DROP TRIGGER IF EXISTS referral_turns_deleted ON referrals_referralassignment;
DROP TRIGGER IF EXISTS referral_turns_updated ON referrals_referralassignment;
DROP TRIGGER IF EXISTS referral_turns_inserted ON referrals_referralassignment;
DROP FUNCTION IF EXISTS referral_turns_changed();
DROP TRIGGER IF EXISTS referral_turn_figures ON referrals_referral;
DROP FUNCTION IF EXISTS referral_turn_figures();
"""


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0009_referral_scope_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="sla_turns_due",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name="referral",
            name="sla_turns_met",
            field=models.PositiveIntegerField(db_default=0, default=0, editable=False),
        ),
        migrations.AddField(
            model_name="referral",
            name="sla_open_due_at",
            field=models.DateTimeField(editable=False, null=True),
        ),
        migrations.RunSQL(sql=TRIGGERS, reverse_sql=UNDO),
    ]
