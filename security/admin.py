"""The system administrator's admin holds no security records (三员分立).

The security log is the security auditor's (安全日志), locks and second factors the
security administrator's (账号管理): the admin pages that django-axes and django-otp
register are taken away again, and the log has none.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (AccessAttempt, AccessFailureLog, AccessLog, TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
