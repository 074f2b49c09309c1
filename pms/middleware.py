from django.contrib.auth.middleware import LoginRequiredMiddleware


class LoginRequiredEverywhereMiddleware(LoginRequiredMiddleware):
    """Every page needs a login unless its view is marked ``login_not_required``.

    The REST API is left to DRF, which authenticates by session *or* token and
    answers 401/403 instead of redirecting a machine client to a login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
