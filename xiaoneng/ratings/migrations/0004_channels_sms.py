"""The SMS invitation (channels, issue 12 §1). On the policy: whether the office sends invitations at all
(`sms_invite`, off until the office turns it on: every SMS costs the county money, and a county that runs the
national system's own invitations must not send twice). On the rating link: how often the outbox tried it
and the last failure (recipient masked), so a refused invitation is retried by the outbox's one policy and
then left alone, like every other message; `sms_sent_at` (0001) says it went out once."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("ratings", "0003_ratingscore_bad_index")]

    operations = [
        migrations.AddField(model_name="ratingpolicy", name="sms_invite",
                            field=models.BooleanField(default=False, verbose_name="办结后短信邀请评价")),
        migrations.AddField(model_name="ratinglink", name="sms_attempts",
                            field=models.PositiveSmallIntegerField(default=0, verbose_name="短信发送次数")),
        migrations.AddField(model_name="ratinglink", name="sms_error",
                            field=models.CharField(blank=True, max_length=300, verbose_name="短信发送失败原因")),
    ]
