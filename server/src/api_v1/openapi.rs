//! The OpenAPI 3.0 document of `/api/v1`, built as JSON here (no generator crate). A test
//! checks that every route in the router is in it, and that every documented operation exists.

use axum::Json;
use serde_json::{json, Value};

use app::domain::change::{ChangeKind, ChangeState};

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

/// One object from several (one `json!` each: a single literal this size exceeds the macro's
/// recursion limit).
fn merge<const N: usize>(parts: [Value; N]) -> Value {
    let mut out = serde_json::Map::new();
    for part in parts {
        if let Value::Object(m) = part {
            out.extend(m);
        }
    }
    Value::Object(out)
}

/// The whole document.
pub fn document() -> Value {
    let mut me_responses = error_responses(&[401]);
    me_responses["200"] = ok("The caller.", "Me");
    let mut history_responses = error_responses(&[400, 401, 422]);
    history_responses["200"] = ok("One page of rollouts, newest first.", "RolloutPage");
    let query = |name: &str, description: &str| json!({"name": name, "in": "query", "required": false, "schema": {"type": "string"}, "description": description});
    let with_ok = |codes: &[u16], status: &str, description: &str, schema: &str| {
        let mut r = error_responses(codes);
        r[status] = ok(description, schema);
        r
    };
    let body = |schema: &str| json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}}});
    let id_param = json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "The change request's id."});
    let states: Vec<&str> = ChangeState::ALL.iter().map(|s| s.as_str()).collect();
    let kinds: Vec<&str> = ChangeKind::ALL.iter().map(|k| k.as_str()).collect();
    let paths = merge([
        json!({
            "/me": {
                "get": {
                    "operationId": "getMe",
                    "summary": "Who the credentials stand for (narrowed to the token's scope).",
                    "responses": me_responses
                }
            }
        }),
        json!({
            "/history": {
                "get": {
                    "operationId": "listHistory",
                    "summary": "Rollout history across the fleet, newest first (keyset pagination).",
                    "parameters": [
                        query("environment", "Environment name."),
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
            }
        }),
        json!({
            "/change-requests": {
                "get": {
                    "operationId": "listChangeRequests",
                    "summary": "Change requests, newest first: waiting for the caller's approval, the caller's own, or all.",
                    "parameters": [
                        {"name": "inbox", "in": "query", "required": false, "schema": {"type": "string", "enum": ["waiting", "mine", "all"], "default": "waiting"}},
                        {"name": "state", "in": "query", "required": false, "schema": {"type": "string", "enum": states}},
                        query("cluster", "Cluster name."),
                        query("environment", "Environment name."),
                        query("after", "Cursor: `next` of the previous page.")
                    ],
                    "responses": with_ok(&[400, 401, 422], "200", "One page of requests.", "ChangeRequestPage")
                },
                "post": {
                    "operationId": "createChangeRequest",
                    "summary": "Requests a change (deployers) in an environment (the default one unless `environment` names another), under that environment's policies. Under a policy that needs no approval it starts at once.",
                    "parameters": [query("environment", "Environment name; the default environment when absent.")],
                    "requestBody": body("NewChangeRequest"),
                    "responses": with_ok(&[400, 401, 403, 404, 409, 413, 415, 422], "201", "The request as it stands.", "ChangeRequest")
                }
            }
        }),
        json!({
            "/change-requests/{id}": {
                "get": {
                    "operationId": "getChangeRequest",
                    "summary": "A request: state, policy, the exact ECS input, diff, reviews and timeline.",
                    "parameters": [id_param.clone()],
                    "responses": with_ok(&[401, 404], "200", "The request.", "ChangeRequestDetail")
                }
            }
        }),
        json!({
            "/change-requests/{id}/approve": {
                "post": {
                    "operationId": "approveChangeRequest",
                    "summary": "Approves the version of a pending request you read (approvers of the teams its policies name; not the requester unless every policy allows it). 409 if it was edited since. The approval that satisfies every policy starts it.",
                    "parameters": [id_param.clone()],
                    "requestBody": body("Review"),
                    "responses": with_ok(&[400, 401, 403, 404, 409, 413, 415, 422], "200", "The request after the review.", "ChangeRequest")
                }
            }
        }),
        json!({
            "/change-requests/{id}/reject": {
                "post": {
                    "operationId": "rejectChangeRequest",
                    "summary": "Rejects a pending request; the comment is required.",
                    "parameters": [id_param],
                    "requestBody": body("Review"),
                    "responses": with_ok(&[400, 401, 403, 404, 409, 413, 415, 422], "200", "The request after the review.", "ChangeRequest")
                }
            }
        }),
        json!({
            "/pipelines": {
                "get": {
                    "operationId": "listPipelines",
                    "summary": "Every pipeline with its stages.",
                    "responses": with_ok(&[401], "200", "The pipelines.", "Pipelines")
                }
            },
            "/pipelines/{name}": {
                "put": {
                    "operationId": "putPipeline",
                    "summary": "Creates or replaces a pipeline from a JSON (application/json) or TOML (application/toml) document: name, description, stages[] of name, environment, cluster, daemon, capacity_providers, drain_percent, bake_time_minutes, alarms, rollback_on_alarm, soak_seconds, manual_promote.",
                    "parameters": [{"name": "name", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "requestBody": {"required": true, "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/PipelineDocument"}},
                        "application/toml": {"schema": {"type": "string"}}
                    }},
                    "responses": with_ok(&[400, 401, 403, 413, 415, 422], "200", "The pipeline as saved.", "Pipeline")
                }
            },
            "/promotions": {
                "get": {
                    "operationId": "listPromotions",
                    "summary": "Promotions, newest first, each with its stages' states.",
                    "parameters": [query("pipeline", "Only this pipeline's.")],
                    "responses": with_ok(&[400, 401], "200", "The promotions.", "Promotions")
                },
                "post": {
                    "operationId": "startPromotion",
                    "summary": "Starts a promotion of a revision (family:revision) through a pipeline.",
                    "requestBody": body("StartPromotion"),
                    "responses": with_ok(&[400, 401, 403, 413, 415, 422], "201", "The promotion.", "Promotion")
                }
            },
            "/promotions/{id}": {
                "get": {
                    "operationId": "getPromotion",
                    "summary": "A promotion: its stages with their gates, and its timeline.",
                    "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
                    "responses": with_ok(&[401, 404], "200", "The promotion.", "Promotion")
                }
            },
            "/promotions/{id}/{action}": {
                "post": {
                    "operationId": "steerPromotion",
                    "summary": "pause, resume, abort (body {\"roll_back_current\": true} also sends the stage in progress back), promote (body {\"stage\": n}) or roll-back (every deployed stage of a failed or aborted promotion).",
                    "parameters": [
                        {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}},
                        {"name": "action", "in": "path", "required": true, "schema": {"type": "string", "enum": ["pause", "resume", "abort", "promote", "roll-back"]}}
                    ],
                    "responses": with_ok(&[400, 401, 403, 404, 409, 413, 415, 422], "200", "The promotion after it.", "Promotion")
                }
            }
        }),
        json!({
            "/openapi.json": {
                "get": {
                    "operationId": "getOpenApi",
                    "summary": "This document.",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document.", "content": {"application/json": {"schema": {"type": "object"}}}}}
                }
            }
        }),
    ]);
    let schemas = merge([
        json!({
            "Pipelines": {"type": "array", "items": {"$ref": "#/components/schemas/Pipeline"}},
            "Pipeline": {"type": "object", "required": ["name", "stages"], "properties": {
                "name": {"type": "string"}, "description": {"type": "string"},
                "stages": {"type": "array", "items": {"type": "object"}},
                "created_by": {"type": "string"}, "updated_at": {"type": "integer"}
            }},
            "PipelineDocument": {"type": "object", "required": ["name", "stages"], "properties": {
                "name": {"type": "string"}, "description": {"type": "string"},
                "stages": {"type": "array", "items": {"type": "object", "required": ["name", "cluster", "daemon", "capacity_providers"]}}
            }},
            "StartPromotion": {"type": "object", "required": ["pipeline", "revision"], "properties": {
                "pipeline": {"type": "string"}, "revision": {"type": "string", "description": "family:revision"}
            }},
            "Promotions": {"type": "object", "required": ["rows"], "properties": {"rows": {"type": "array", "items": {"type": "object"}}}},
            "Promotion": {"type": "object", "required": ["row", "stages", "events"], "properties": {
                "row": {"type": "object"}, "version": {"type": "integer"}, "stages": {"type": "array", "items": {"type": "object"}},
                "events": {"type": "array", "items": {"type": "object"}}
            }}
        }),
        json!({
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
                }
        }),
        json!({
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
                }
        }),
        json!({
                "NewChangeRequest": {
                    "type": "object",
                    "required": ["kind"],
                    "description": "`deploy` creates a daemon, or updates it when `daemon_arn` is given (`rollback: true` marks a roll back). \
                        Deploy fields are validated like the deploy form (defaults: drain 25 %, bake 0 min, critical, roll back on alarm). \
                        `delete_daemon` needs `cluster` and `daemon`; `delete_revision` needs `family` and `revision`. Unknown fields are refused.",
                    "properties": {
                        "kind": {"type": "string", "enum": ["deploy", "delete_daemon", "delete_revision"]},
                        "cluster": {"type": "string"},
                        "daemon": {"type": "string"},
                        "daemon_arn": {"type": "string"},
                        "family": {"type": "string"},
                        "revision": {"type": "integer", "minimum": 1, "description": "Deploy: omit for the latest ACTIVE revision."},
                        "capacity_providers": {"type": "array", "items": {"type": "string"}},
                        "drain_percent": {"type": "number"},
                        "bake_time_minutes": {"type": "integer", "minimum": 0, "maximum": 1440},
                        "alarms": {"type": "array", "items": {"type": "string"}},
                        "rollback_on_alarm": {"type": "boolean"},
                        "critical": {"type": "boolean"},
                        "tags": {"type": "object", "additionalProperties": {"type": "string"}},
                        "propagate_tags": {"type": "boolean"},
                        "ecs_managed_tags": {"type": "boolean"},
                        "execute_command": {"type": "boolean"},
                        "rollback": {"type": "boolean"}
                    }
                }
        }),
        json!({
                "Review": {
                    "type": "object",
                    "required": ["version"],
                    "properties": {
                        "version": {"type": "integer", "minimum": 1, "description": "The version of the request you reviewed (from GET /change-requests/{id}). If it was edited since, the answer is 409 and nothing is recorded."},
                        "comment": {"type": "string", "maxLength": 2000, "description": "Required to reject."}
                    }
                }
        }),
        json!({
                "ChangeRequest": {
                    "type": "object",
                    "required": ["id", "kind", "state", "cluster", "requester", "approvals", "approvals_required"],
                    "properties": {
                        "id": {"type": "string"},
                        "kind": {"type": "string", "enum": kinds},
                        "state": {"type": "string", "enum": states},
                        "cluster": {"type": "string"},
                        "daemon": {"type": "string"},
                        "family": {"type": "string"},
                        "from_revision": {"type": "string"},
                        "to_revision": {"type": "string"},
                        "team": {"type": "string"},
                        "requester": {"type": "string"},
                        "summary": {"type": "string"},
                        "approvals": {"type": "integer"},
                        "approvals_required": {"type": "integer"},
                        "created_at": {"type": "integer", "description": "Epoch milliseconds."},
                        "updated_at": {"type": "integer"},
                        "expires_at": {"type": "integer"},
                        "progress": {"type": "integer", "description": "Percent of instances on the target revision while executing."},
                        "environment": {"type": "string", "description": "The environment the request acts in."}
                    }
                }
        }),
        json!({
                "ChangeRequestPage": {
                    "type": "object",
                    "required": ["rows"],
                    "properties": {
                        "rows": {"type": "array", "items": {"$ref": "#/components/schemas/ChangeRequest"}},
                        "next": {"type": "string", "nullable": true}
                    }
                }
        }),
        json!({
                "ChangeRequestDetail": {
                    "type": "object",
                    "required": ["row", "version", "policy", "reviews", "events"],
                    "properties": {
                        "row": {"$ref": "#/components/schemas/ChangeRequest"},
                        "version": {"type": "integer", "description": "Incremented by each edit; approvals on older versions are void."},
                        "policy": {
                            "type": "object",
                            "properties": {
                                "approvals_required": {"type": "integer"},
                                "approver_teams": {"type": "array", "items": {"type": "string"}},
                                "allow_self_approval": {"type": "boolean"},
                                "expiry_hours": {"type": "integer"},
                                "source": {"type": "string", "description": "Which policies apply, e.g. `prod/mi-prod-a: 2 approvals from security; cluster prod: 1 approval from platform`."},
                                "requirements": {
                                    "type": "array",
                                    "description": "Every policy the request must satisfy, each with its own count and teams, and why it applies.",
                                    "items": {
                                        "type": "object",
                                        "properties": {
                                            "label": {"type": "string"},
                                            "why": {"type": "array", "items": {"type": "string"}},
                                            "policy": {"type": "object"}
                                        }
                                    }
                                },
                                "scope": {
                                    "type": "object",
                                    "description": "The cluster, the capacity providers the daemon runs on now (current) and will run on (target).",
                                    "properties": {
                                        "cluster": {"type": "string"},
                                        "current": {"type": "array", "items": {"type": "string"}},
                                        "target": {"type": "array", "items": {"type": "string"}}
                                    }
                                }
                            }
                        },
                        "approvals_missing": {"type": "array", "items": {"type": "string"}, "description": "While pending: what each policy still needs."},
                        "ecs_input": {"type": "string", "description": "The exact ECS call (operation and input), as pretty JSON."},
                        "diff": {"type": "string"},
                        "deployment_arn": {"type": "string"},
                        "outcome": {"type": "string"},
                        "override_reason": {"type": "string"},
                        "executed_at": {"type": "integer"},
                        "finished_at": {"type": "integer"},
                        "reviews": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "reviewer": {"type": "string"},
                                    "approve": {"type": "boolean"},
                                    "comment": {"type": "string"},
                                    "version": {"type": "integer"},
                                    "at": {"type": "integer"},
                                    "current": {"type": "boolean"}
                                }
                            }
                        },
                        "events": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {
                                    "at": {"type": "integer"},
                                    "actor": {"type": "string"},
                                    "kind": {"type": "string"},
                                    "detail": {"type": "string"}
                                }
                            }
                        },
                        "review_refusal": {"type": "string", "nullable": true, "description": "Why the caller may not review it; null if they may."},
                        "can_cancel": {"type": "boolean"},
                        "can_edit": {"type": "boolean"},
                        "can_override_freeze": {"type": "boolean"},
                        "frozen_by": {"type": "array", "items": {"type": "string"}},
                        "spec": {"type": "object", "nullable": true, "description": "The deploy settings (deploy, update, roll back), in the shape of a deploy body."}
                    }
                }
        }),
        json!({
                "Rollout": {
                    "type": "object",
                    "required": ["id", "cluster", "daemon", "requester", "status", "started_at"],
                    "properties": {
                        "id": {"type": "string", "description": "UUIDv7 (rows carried over from the integer ids of earlier releases: 00000000-0000-0000-0000-NNNNNNNNNNNN)."},
                        "request_id": {"type": "string", "description": "The change request, empty for out-of-band changes."},
                        "source": {"type": "string"},
                        "kind": {"type": "string"},
                        "environment": {"type": "string"},
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
                }
        }),
        json!({
                "RolloutPage": {
                    "type": "object",
                    "required": ["rows"],
                    "properties": {
                        "rows": {"type": "array", "items": {"$ref": "#/components/schemas/Rollout"}},
                        "older": {"type": "string", "nullable": true},
                        "newer": {"type": "string", "nullable": true}
                    }
                }
        }),
        json!({
                "TeamRole": {
                    "type": "object",
                    "required": ["team", "role"],
                    "properties": {
                        "team": {"type": "string"},
                        "role": {"type": "string", "enum": ["viewer", "deployer", "approver"]}
                    }
                }
        }),
    ]);
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
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "description": "An API token, `dpt_` followed by 64 hex digits."},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "portal_session"}
            },
            "schemas": schemas
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
