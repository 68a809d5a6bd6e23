//! STS on the emulator's endpoint, over the awsQuery protocol: a form-encoded
//! `POST /` (`Action=AssumeRole&Version=2011-06-15&RoleArn=…`) answered with
//! XML in the shapes of `sts-2011-06-15` (checked against the `aws-sdk-sts`
//! 1.124 deserializers). Two actions: `AssumeRole`, which aws-config's
//! assume-role provider calls, and `GetCallerIdentity`. The rules (which roles,
//! which external id, which account a key acts in) are `state::iam`'s.
//!
//! ECS's injected faults do not apply here: they model ECS's answers, in ECS's
//! JSON error shape.

use crate::state::iam::{AssumeRole, IamError, Session};
use crate::SimState;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const XMLNS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// The form parameters of an awsQuery request, or `None` when the request is not one.
pub fn query_params(headers: &HeaderMap, body: &[u8]) -> Option<Vec<(String, String)>> {
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    let text = std::str::from_utf8(body).ok()?;
    if !form && !text.starts_with("Action=") {
        return None;
    }
    let params = decode_form(text);
    params.iter().any(|(k, _)| k == "Action").then_some(params)
}

/// `application/x-www-form-urlencoded`: `&`-separated `key=value`, `+` for space, `%XX` bytes.
fn decode_form(text: &str) -> Vec<(String, String)> {
    fn decode(s: &str) -> String {
        let bytes = s.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'+' => out.push(b' '),
                b'%' if i + 2 < bytes.len() => {
                    match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                        Ok(b) => {
                            out.push(b);
                            i += 2;
                        }
                        Err(_) => out.push(b'%'),
                    }
                }
                b => out.push(b),
            }
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned()
    }
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

pub fn handle(sim: &SimState, authorization: &str, params: &[(String, String)]) -> Response {
    let get = |name: &str| params.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let action = get("Action").unwrap_or_default();
    let request_id = uuid::Uuid::new_v4().to_string();
    let key = crate::protocol::credential_scope(authorization).map(|(k, _)| k.to_string());
    let result = match key {
        // STS refuses unsigned requests; ecs-sim reads only the access key id.
        None if !authorization.starts_with("AWS4-HMAC-SHA256") => Err(StsError::new(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationToken",
            "Request is missing Authentication Token",
        )),
        None => Err(StsError::new(
            StatusCode::BAD_REQUEST,
            "IncompleteSignature",
            "The Authorization header has no readable Credential=KEY/DATE/REGION/sts/aws4_request scope.",
        )),
        Some(key) => match action.as_str() {
            "AssumeRole" => assume_role(sim, &key, &get, &request_id),
            "GetCallerIdentity" => Ok(caller_identity(sim, &key, &request_id)),
            other => Err(StsError::new(
                StatusCode::BAD_REQUEST,
                "InvalidAction",
                &format!("Could not find operation {other} for version 2011-06-15 (ecs-sim answers AssumeRole and GetCallerIdentity)"),
            )),
        },
    };
    let (status, xml, error) = match result {
        Ok(xml) => (StatusCode::OK, xml, None),
        Err(e) => (e.status, e.xml(&request_id), Some(e.code.to_string())),
    };
    let scope = (status == StatusCode::OK).then(|| sim.scope_of(authorization));
    sim.log_request(
        format!("sts:{action}"),
        scope.as_ref(),
        sim.caller_of(authorization),
        status.as_u16(),
        error,
    );
    let mut resp = (status, xml).into_response();
    resp.headers_mut().insert("content-type", HeaderValue::from_static("text/xml"));
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-amzn-requestid", v);
    }
    resp
}

fn assume_role(
    sim: &SimState,
    key: &str,
    get: &dyn Fn(&str) -> Option<String>,
    request_id: &str,
) -> Result<String, StsError> {
    let duration_seconds = match get("DurationSeconds") {
        None => None,
        Some(d) => Some(d.parse::<i64>().map_err(|_| {
            StsError::new(
                StatusCode::BAD_REQUEST,
                "ValidationError",
                &format!("1 validation error detected: Value '{d}' at 'durationSeconds' failed to satisfy constraint: Member must be an integer"),
            )
        })?),
    };
    let req = AssumeRole {
        role_arn: get("RoleArn"),
        session_name: get("RoleSessionName"),
        external_id: get("ExternalId"),
        duration_seconds,
    };
    // Expiration is wall-clock time, not simulated time: the SDK's credentials cache compares
    // it with the real clock, so a simulated clock that runs fast, slow, stopped (manual mode)
    // or offset would make fresh credentials look expired (refetched on every call) or keep
    // them forever.
    let issued = sim.with_worlds(|w| w.iam.assume_role(key, &req, crate::clock::wall_ms()));
    let (access_key, s) = issued.map_err(StsError::from)?;
    Ok(assume_role_xml(&access_key, &s, request_id))
}

fn assume_role_xml(access_key: &str, s: &Session, request_id: &str) -> String {
    format!(
        "<AssumeRoleResponse xmlns=\"{XMLNS}\"><AssumeRoleResult><Credentials>\
         <AccessKeyId>{}</AccessKeyId><SecretAccessKey>{}</SecretAccessKey>\
         <SessionToken>{}</SessionToken><Expiration>{}</Expiration></Credentials>\
         <AssumedRoleUser><AssumedRoleId>{}</AssumedRoleId><Arn>{}</Arn></AssumedRoleUser>\
         </AssumeRoleResult><ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\
         </AssumeRoleResponse>",
        escape(access_key),
        escape(&s.secret_access_key),
        escape(&s.session_token),
        iso8601(s.expires_at),
        escape(&s.assumed_role_id()),
        escape(&s.arn()),
    )
}

fn caller_identity(sim: &SimState, key: &str, request_id: &str) -> String {
    let id = sim.with_worlds(|w| w.iam.identity(key));
    format!(
        "<GetCallerIdentityResponse xmlns=\"{XMLNS}\"><GetCallerIdentityResult>\
         <Arn>{}</Arn><UserId>{}</UserId><Account>{}</Account></GetCallerIdentityResult>\
         <ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>\
         </GetCallerIdentityResponse>",
        escape(&id.arn),
        escape(&id.user_id),
        escape(&id.account),
    )
}

/// An awsQuery error: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/>`.
struct StsError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl StsError {
    fn new(status: StatusCode, code: &'static str, message: &str) -> Self {
        Self { status, code, message: message.to_string() }
    }

    fn xml(&self, request_id: &str) -> String {
        let kind = if self.status.is_server_error() { "Receiver" } else { "Sender" };
        format!(
            "<ErrorResponse xmlns=\"{XMLNS}\"><Error><Type>{kind}</Type><Code>{}</Code>\
             <Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
            self.code,
            escape(&self.message)
        )
    }
}

impl From<IamError> for StsError {
    fn from(e: IamError) -> Self {
        match e {
            IamError::AccessDenied(m) => Self::new(StatusCode::FORBIDDEN, "AccessDenied", &m),
            IamError::Validation(m) => Self::new(StatusCode::BAD_REQUEST, "ValidationError", &m),
        }
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// Epoch milliseconds → `2026-12-06T21:00:00Z` (UTC, whole seconds), the
/// `dateTime` format STS writes.
fn iso8601(ms: i64) -> String {
    let secs = ms.div_euclid(1000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days since 1970-01-01 → civil date (Howard Hinnant's days_from_civil, inverted).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z", rem / 3600, rem % 3600 / 60, rem % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(1_796_590_800_000), "2026-12-06T21:00:00Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn forms() {
        let p = decode_form("Action=AssumeRole&RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2FX&RoleSessionName=a+b&Empty=&Bad=%zz%4");
        assert_eq!(p[0], ("Action".into(), "AssumeRole".into()));
        assert_eq!(p[1].1, "arn:aws:iam::1:role/X");
        assert_eq!(p[2].1, "a b");
        assert_eq!(p[3].1, "");
        assert_eq!(p[4].1, "%zz%4");
    }

    #[test]
    fn escapes() {
        assert_eq!(escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
    }
}
