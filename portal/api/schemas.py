"""JSON Schemas of the API's objects (components of the OpenAPI document)."""

_TIME = {"type": ["string", "null"], "format": "date-time"}
_TEXT = {"type": "string"}

SCHEMAS: dict[str, dict] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "details"],
                "properties": {
                    "code": _TEXT,
                    "message": _TEXT,
                    "details": {"type": "object"},
                },
            }
        },
    },
    "Account": {
        "type": "object",
        "required": ["id", "name", "crm_ref", "tier", "status", "url"],
        "properties": {
            "id": {"type": "integer"},
            "name": _TEXT,
            "crm_ref": _TEXT,
            "industry": _TEXT,
            "region": _TEXT,
            "tier": {"enum": ["strategic", "key", "standard", "small"]},
            "status": {"enum": ["prospect", "active", "at_risk", "churned"]},
            "account_manager": {"type": ["string", "null"]},
            "description": _TEXT,
            "created_at": _TIME,
            "updated_at": _TIME,
            "url": _TEXT,
        },
    },
    "AccountInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "crm_ref": {"type": "string", "minLength": 1, "maxLength": 64},
            "industry": {"type": "string", "maxLength": 120},
            "region": {"type": "string", "maxLength": 120},
            "tier": {"enum": ["strategic", "key", "standard", "small"]},
            "status": {"enum": ["prospect", "active", "at_risk", "churned"]},
            "account_manager": {"type": ["string", "null"]},
            "description": {"type": "string", "maxLength": 2000},
        },
    },
    "User": {
        "type": "object",
        "required": ["username", "display_name", "active", "url"],
        "properties": {
            "username": _TEXT,
            "display_name": _TEXT,
            "job_title": _TEXT,
            "department": {"type": ["string", "null"]},
            "role": {"enum": ["employee", "moderator", "hr", "admin"]},
            "active": {"type": "boolean"},
            "left_at": _TIME,
            "url": _TEXT,
        },
    },
    "UserInput": {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "username": {"type": "string", "minLength": 2, "maxLength": 40},
            "display_name": {"type": "string", "maxLength": 120},
            "email": {"type": ["string", "null"], "maxLength": 254},
            "department": {"type": ["string", "null"], "maxLength": 120},
            "role": {"enum": ["employee", "moderator", "hr", "admin"]},
            "job_title": {"type": "string", "maxLength": 120},
            "locale": {"enum": ["", "en", "zh"]},
            "password": {"type": "string", "minLength": 8, "maxLength": 200},
            "active": {"type": "boolean"},
        },
    },
    "Timeline": {
        "type": "object",
        "required": ["items", "older"],
        "properties": {
            "items": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["when", "kind", "title", "url"],
                    "properties": {
                        "when": _TIME,
                        "kind": _TEXT,
                        "title": _TEXT,
                        "url": _TEXT,
                        "actor": {"type": ["string", "null"]},
                    },
                },
            },
            "older": _TIME,
        },
    },
    "Risk": {
        "type": "object",
        "required": ["level", "reason", "people", "top_share", "open_case"],
        "properties": {
            "level": _TEXT,
            "reason": _TEXT,
            "people": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["username", "name", "score", "share"],
                    "properties": {
                        "username": _TEXT,
                        "name": _TEXT,
                        "score": {"type": "number"},
                        "share": {"type": "number"},
                    },
                },
            },
            "top_share": {"type": "number"},
            "open_case": {
                "type": ["object", "null"],
                "properties": {
                    "id": {"type": "integer"},
                    "leaver": _TEXT,
                    "leaving_on": _TEXT,
                    "status": _TEXT,
                },
            },
        },
    },
    "TokenRequest": {
        "type": "object",
        "additionalProperties": False,
        "required": ["username", "password"],
        "properties": {
            "username": {"type": "string", "minLength": 1, "maxLength": 40},
            "password": {"type": "string", "minLength": 1, "maxLength": 200},
            "name": {"type": "string", "maxLength": 80},
        },
    },
    "Token": {
        "type": "object",
        "required": ["token", "id", "name", "created_at"],
        "properties": {
            "token": _TEXT,
            "id": {"type": "integer"},
            "name": _TEXT,
            "created_at": _TIME,
        },
    },
}
