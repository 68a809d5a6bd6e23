//! The OpenAPI 3.0 document of `/api/v1`, built as JSON here (no generator crate). A test
//! checks that every route in the router is in it, and that every documented operation exists.

use axum::Json;
use serde_json::{json, Value};

use super::error::CODES;

/// `GET /api/v1/openapi.json` — public: it describes the API, it holds no data.
pub async fn serve() -> Json<Value> {
    Json(document())
}

fn error_responses(codes: &[u16]) -> Value {
    let mut out = serde_json::Map::new();
    for code in codes {
        let description = match code {
            400 => "Malformed request (`bad_request`, `malformed_json`).",
            401 => "No credentials, or an unknown, expired or revoked token (`unauthenticated`, `invalid_token`).",
            403 => "The caller may not do this (`forbidden`), or a cross-site request with a cookie (`cross_origin`).",
            404 => "No such resource (`not_found`).",
            409 => "The resource is not in a state that allows this (`conflict`).",
            413 => "The body is over 64 KiB (`payload_too_large`).",
            415 => "The body is not `application/json` (`unsupported_media_type`).",
            422 => "The body does not fit the schema or fails validation (`invalid_body`, `invalid`).",
            _ => "Error.",
        };
        out.insert(
            code.to_string(),
            json!({"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
        );
    }
    Value::Object(out)
}

fn ok(description: &str, schema: &str) -> Value {
    json!({"description": description, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}})
}

/// The whole document.
pub fn document() -> Value {
    let mut me_responses = error_responses(&[401]);
    me_responses["200"] = ok("The caller.", "Me");
    let mut history_responses = error_responses(&[400, 401, 422]);
    history_responses["200"] = ok("One page of rollouts, newest first.", "RolloutPage");
    let query = |name: &str, description: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": description});
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Daemon Portal automation API",
            "version": "1",
            "description": "Change requests and rollout history for Amazon ECS Managed Daemons. \
                Authenticate with an API token (created under API tokens in the portal) as \
                `Authorization: Bearer dpt_…`; a token acts with its owner's roles narrowed to its scope. \
                Every error is `{\"error\": {\"code\", \"message\"}}` with a stable code."
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/me": {
                "get": {
                    "operationId": "getMe",
                    "summary": "Who the credentials stand for (narrowed to the token's scope).",
                    "responses": me_responses
                }
            },
            "/history": {
                "get": {
                    "operationId": "listHistory",
                    "summary": "Rollout history across the fleet, newest first (keyset pagination).",
                    "parameters": [
                        query("cluster", "Cluster name."),
                        query("daemon", "Daemon name."),
                        query("team", "Owning team."),
                        query("person", "Requester or approver."),
                        query("status", "Final ECS deployment status, e.g. SUCCESSFUL, ROLLBACK_SUCCESSFUL."),
                        query("from", "First day, YYYY-MM-DD (UTC), inclusive."),
                        query("to", "Last day, YYYY-MM-DD (UTC), inclusive."),
                        query("older", "Cursor from `older` of the previous page."),
                        query("newer", "Cursor from `newer` of the previous page."),
                        {"name": "limit", "in": "query", "required": false, "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50}}
                    ],
                    "responses": history_responses
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document.",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}}}
                }
            }
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API token, `dpt_` followed by 64 hex digits."},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "portal_session"}
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {
                        "error": {
                            "type": "object",
                            "required": ["code", "message"],
                            "properties": {
                                "code": {"type": "string", "enum": CODES.iter().chain(["ecs_error", "too_many_requests"].iter()).collect::<Vec<_>>()},
                                "message": {"type": "string"},
                                "fields": {"type": "object", "additionalProperties": {"type": "string"}, "description": "Per-field messages of an `invalid` error."}
                            }
                        }
                    }
                },
                "Me": {
                    "type": "object",
                    "required": ["username", "is_admin", "teams", "auth"],
                    "properties": {
                        "username": {"type": "string"},
                        "is_admin": {"type": "boolean"},
                        "teams": {"type": "array", "items": {"$ref": "#/components/schemas/TeamRole"}},
                        "auth": {"type": "string", "enum": ["token", "session"]},
                        "token_id": {"type": "string", "nullable": true}
                    }
                },
                "Rollout": {
                    "type": "object",
                    "required": ["id", "cluster", "daemon", "requester", "status", "started_at"],
                    "properties": {
                        "id": {"type": "integer"},
                        "request_id": {"type": "string", "description": "The change request, empty for out-of-band changes."},
                        "source": {"type": "string"},
                        "kind": {"type": "string"},
                        "cluster": {"type": "string"},
                        "daemon": {"type": "string"},
                        "team": {"type": "string"},
                        "requester": {"type": "string"},
                        "approvers": {"type": "array", "items": {"type": "string"}},
                        "from_revision": {"type": "string"},
                        "to_revision": {"type": "string"},
                        "diff": {"type": "string"},
                        "deployment_arn": {"type": "string"},
                        "status": {"type": "string"},
                        "reason": {"type": "string"},
                        "started_at": {"type": "integer", "description": "Epoch milliseconds."},
                        "ended_at": {"type": "integer", "nullable": true}
                    }
                },
                "RolloutPage": {
                    "type": "object",
                    "required": ["rows"],
                    "properties": {
                        "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Rollout"}},
                        "older": {"type": "string", "nullable": true},
                        "newer": {"type": "string", "nullable": true}
                    }
                },
                "TeamRole": {
                    "type": "object",
                    "required": ["team", "role"],
                    "properties": {
                        "team": {"type": "string"},
                        "role": {"type": "string", "enum": ["viewer", "deployer", "approver"]}
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_is_documented() {
        let doc = document();
        for (method, path) in super::super::routes() {
            let op = &doc["paths"][path][method.as_str().to_lowercase()];
            assert!(op.is_object(), "{method} {path} is not in the OpenAPI document");
            assert!(op["responses"].is_object(), "{method} {path} has no responses");
        }
        // …and nothing is documented that is not routed.
        let routed: Vec<String> = super::super::routes()
            .iter()
            .map(|(m, p)| format!("{} {p}", m.as_str().to_lowercase()))
            .collect();
        for (path, ops) in doc["paths"].as_object().unwrap() {
            for method in ops.as_object().unwrap().keys() {
                assert!(
                    routed.contains(&format!("{method} {path}")),
                    "{method} {path} documented but not routed"
                );
            }
        }
    }
}
