from django.contrib.auth import views as auth_views
from django.urls import path

from . import account_admin, views

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/two-factor/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", views.two_factor_verify, name="two_factor_verify"),
    # 账号管理 (the security administrator's): its addresses stay under /security/
    path("security/accounts/", account_admin.account_list, name="security_accounts"),
    path("security/accounts/<int:pk>/", account_admin.account_detail, name="security_account"),
]
