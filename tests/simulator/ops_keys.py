"""API operations for API keys, API key budgets and settings (organization, per key, resolved)."""

from decimal import Decimal, InvalidOperation

from .errors import invalid, not_found
from .paging import page

HUNDRED = Decimal(100)


def decimal_text(value):
    """Plain decimal text without exponent or trailing zeros: Decimal('12.50') -> '12.5'."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def parse_money(text, field):
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation:
        raise invalid([(field, f"must be a decimal number of US dollars, got {text!r}")]) from None
    if not value.is_finite():
        raise invalid([(field, f"must be a decimal number of US dollars, got {text!r}")])
    if value < 0:
        raise invalid([(field, "must not be negative")])
    return value


def org_key(call, api_key_id):
    """The API key `api_key_id` of the caller's organization, else 404."""
    key = call.state.keys_by_id.get(api_key_id)
    if key is None or key.organization_id != call.org.id:
        raise not_found("api key", api_key_id)
    return key


# API keys


def create_api_key(call):
    key = call.state.add_key(call.org.id)
    return {"token": key.token}


def verify_api_key(call):
    return {"organizationId": call.key.organization_id}


# Budgets


def budget_view(call, api_key_id):
    limit = Decimal(call.org.budgets[api_key_id])
    spend = Decimal(call.state.spend.get(api_key_id, "0"))
    usage = (spend / limit * HUNDRED).quantize(Decimal("0.01")) if limit > 0 else Decimal(0)
    return {
        "apiKeyId": api_key_id,
        "organizationId": call.org.id,
        "budgetLimitUsd": decimal_text(limit),
        "totalSpendUsd": decimal_text(spend),
        "usagePct": decimal_text(usage),
        "exhausted": bool(limit > 0 and spend >= limit),
    }


def list_budgets(call):
    ids = [key_id for key_id in call.org.budgets if key_id in call.state.keys_by_id]
    answer = page(ids, call.query, call.state.max_page_size)
    answer["items"] = [budget_view(call, key_id) for key_id in answer["items"]]
    return answer


def get_budget(call):
    key = org_key(call, call.params["apiKeyId"])
    if key.id not in call.org.budgets:
        raise not_found("budget of api key", key.id)
    return budget_view(call, key.id)


def update_budget(call):
    key = org_key(call, call.params["apiKeyId"])
    if "budgetLimitUsd" not in call.body:
        raise invalid([("budgetLimitUsd", "is required")])
    call.org.budgets[key.id] = decimal_text(parse_money(call.body["budgetLimitUsd"], "budgetLimitUsd"))
    return budget_view(call, key.id)


def delete_budget(call):
    key = org_key(call, call.params["apiKeyId"])
    if call.org.budgets.pop(key.id, None) is None:
        raise not_found("budget of api key", key.id)
    return {}


# Settings


def checked_settings(body):
    weight = body["routerQualityWeight"]
    if not 0 <= weight <= 1:
        raise invalid([("routerQualityWeight", f"must be between 0 and 1, got {weight}")])
    return {
        "routingEnabled": body["routingEnabled"],
        "promptSharingEnabled": body["promptSharingEnabled"],
        "routerQualityWeight": weight,
    }


def get_settings(call):
    return dict(call.org.settings)


def update_settings(call):
    call.org.settings = checked_settings(call.body)
    return dict(call.org.settings)


def key_settings_view(api_key_id, settings):
    return {"apiKeyId": api_key_id, "settings": dict(settings)}


def list_key_settings(call):
    ids = [key_id for key_id in call.org.key_settings if key_id in call.state.keys_by_id]
    answer = page(ids, call.query, call.state.max_page_size)
    answer["items"] = [key_settings_view(key_id, call.org.key_settings[key_id]) for key_id in answer["items"]]
    return answer


def get_key_settings(call):
    key = org_key(call, call.params["id"])
    if key.id not in call.org.key_settings:
        raise not_found("settings of api key", key.id)
    return key_settings_view(key.id, call.org.key_settings[key.id])


def upsert_key_settings(call):
    key = org_key(call, call.params["id"])
    call.org.key_settings[key.id] = checked_settings(call.body)
    return key_settings_view(key.id, call.org.key_settings[key.id])


def delete_key_settings(call):
    key = org_key(call, call.params["id"])
    if call.org.key_settings.pop(key.id, None) is None:
        raise not_found("settings of api key", key.id)
    return {}


def resolve_settings(call):
    settings = call.org.key_settings.get(call.key.id, call.org.settings)
    return {"settings": dict(settings)}


HANDLERS = {
    "APIKeysAPICreateAPIKey": create_api_key,
    "APIKeysAPIVerifyAPIKey": verify_api_key,
    "APIKeysAPIListAPIKeyBudgets": list_budgets,
    "APIKeysAPIGetAPIKeyBudget": get_budget,
    "APIKeysAPIUpdateAPIKeyBudget": update_budget,
    "APIKeysAPIDeleteAPIKeyBudget": delete_budget,
    "SettingsAPIGetSettings": get_settings,
    "SettingsAPIUpdateSettings": update_settings,
    "SettingsAPIListAPIKeySettings": list_key_settings,
    "SettingsAPIGetAPIKeySettings": get_key_settings,
    "SettingsAPIUpsertAPIKeySettings": upsert_key_settings,
    "SettingsAPIDeleteAPIKeySettings": delete_key_settings,
    "SettingsAPIResolveSettings": resolve_settings,
}
