from lisplan.accounts.access import has_permission


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"nav_trainees": has_permission(user, "trainee.view")}
