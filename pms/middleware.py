from django.conf import settings
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LoginRequiredEverywhereMiddleware(LoginRequiredMiddleware):
    """Every page needs a login unless its view is marked ``login_not_required``.

    The REST API is left to DRF, which authenticates by session *or* token and
    answers 401/403 instead of redirecting a machine client to a login page.
    """

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class PmsLocaleMiddleware(LocaleMiddleware):
    """Russian unless the user picked English with the switcher.

    Pages ignore the browser's Accept-Language: a front desk's browser may be
    set to English while the hotel works in Russian, and staff expect the
    product's Russian labels until they switch. API clients may still ask for
    English error messages with Accept-Language.
    """

    def process_request(self, request):
        languages = dict(settings.LANGUAGES)
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in languages and request.path_info.startswith("/api/"):
            language = translation.get_language_from_request(request)
        if language not in languages:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
