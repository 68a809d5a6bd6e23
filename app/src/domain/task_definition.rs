//! The daemon task definition form, its validation, and its ECS JSON form.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::{
    form::{checked, filled, on},
    names::ResourceName,
    role_arn::{RoleInput, RoleScope},
    sizes::{format_gb, format_vcpu, missing_size, parse_gb, parse_vcpu},
    FieldErrors,
};

pub const MAX_CONTAINERS: usize = 10;
pub const MAX_ENV_VARS: usize = 100;
pub const MAX_ENV_VALUE: usize = 32_768;
pub const MAX_JSON_BYTES: usize = 64 * 1024;
/// The stream prefix the auto-configured CloudWatch Logs use, as the ECS console does.
pub const LOG_STREAM_PREFIX: &str = "ecs";

/// What the "Create new daemon task definition" form posts: text exactly as typed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinitionForm {
    #[serde(default)]
    pub family: String,
    #[serde(default)]
    pub task_role: String,
    #[serde(default)]
    pub execution_role: String,
    /// Task-level CPU in vCPU (optional).
    #[serde(default)]
    pub task_cpu: String,
    /// Task-level memory in GB (optional).
    #[serde(default)]
    pub task_memory: String,
    #[serde(default)]
    pub containers: Vec<ContainerForm>,
    /// Region for auto-configured CloudWatch Logs.
    #[serde(default)]
    pub region: String,
    /// `json` when the user submitted from the JSON view; then `json` is the source of truth.
    #[serde(default)]
    pub mode: String,
    #[serde(default)]
    pub json: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContainerForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub image: String,
    /// A checkbox: present ("on"/"true") when checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub essential: Option<String>,
    /// vCPU, e.g. `1` or `0.25`.
    #[serde(default)]
    pub cpu: String,
    /// GB, e.g. `0.5`.
    #[serde(default)]
    pub memory: String,
    #[serde(default)]
    pub env: Vec<EnvForm>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_logs: Option<String>,
    #[serde(default)]
    pub log_group: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct EnvForm {
    #[serde(default)]
    pub key: String,
    #[serde(default)]
    pub value: String,
}

/// A validated daemon task definition, ready to register. Construct with [`TaskDefinitionForm::parse`]
/// or [`TaskDefinitionSpec::from_json`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskDefinitionSpec {
    pub family: ResourceName,
    pub task_role_arn: Option<String>,
    pub execution_role_arn: Option<String>,
    /// CPU units.
    pub cpu: Option<u32>,
    /// MiB.
    pub memory: Option<u32>,
    pub containers: Vec<ContainerSpec>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContainerSpec {
    pub name: String,
    pub image: String,
    pub essential: bool,
    /// CPU units.
    pub cpu: u32,
    /// MiB.
    pub memory: u32,
    pub environment: Vec<(String, String)>,
    pub logs: Option<LogSpec>,
}

/// An `awslogs` log configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LogSpec {
    pub group: String,
    pub region: String,
    pub stream_prefix: String,
    pub create_group: bool,
}

/// The task definition input typed but not yet checked (sizes in CPU units and MiB). Rows keep
/// the form's positions, blank environment rows included, so each message is keyed by the
/// index of the row the user sees.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaskDefinitionDraft {
    pub family: String,
    pub task_role: Option<String>,
    pub execution_role: Option<String>,
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
    pub containers: Vec<ContainerDraft>,
    /// Region for auto-configured CloudWatch Logs; `us-east-1` when blank.
    pub region: String,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ContainerDraft {
    pub name: String,
    pub image: String,
    pub essential: bool,
    pub cpu: Option<u32>,
    pub memory: Option<u32>,
    pub env: Vec<EnvForm>,
    /// `Some` when CloudWatch Logs are auto-configured into this group.
    pub log_group: Option<String>,
}

/// A role ARN, or a role name the server expands to its account's ARN before registering
/// (`role_arn::RoleInput`; ECS takes either).
fn parse_optional_role(s: &Option<String>) -> Result<Option<String>, String> {
    match s.as_deref().and_then(filled) {
        None => Ok(None),
        Some(s) => RoleInput::parse(s).map(|r| Some(r.as_typed().to_string())),
    }
}

pub fn parse_image(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("Enter an image, e.g. amazon/cloudwatch-agent:latest.".into());
    }
    if s.len() > 255 {
        return Err("The image can have at most 255 characters.".into());
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || "./_:@-".contains(c)) {
        return Err("The image can contain only letters, digits and . / _ : @ -".into());
    }
    Ok(s.to_string())
}

pub fn parse_env_key(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("Enter a key.".into());
    }
    if s.len() > 255 {
        return Err("A key can have at most 255 characters.".into());
    }
    let first_ok = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    if !first_ok || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err("A key starts with a letter or _ and contains only letters, digits and _.".into());
    }
    Ok(s.to_string())
}

pub fn parse_log_group(s: &str) -> Result<String, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("Enter a log group name, e.g. /ecs/cloudwatch-agent-daemon.".into());
    }
    if s.len() > 512 {
        return Err("A log group name can have at most 512 characters.".into());
    }
    if !s.chars().all(|c| c.is_ascii_alphanumeric() || "._-/#".contains(c)) {
        return Err("A log group name can contain only letters, digits and . _ - / #".into());
    }
    Ok(s.to_string())
}

/// A size field the user may leave blank: `Some(None)` when blank, `None` (message recorded)
/// when unreadable.
fn optional_size(
    errors: &mut FieldErrors,
    field: String,
    s: &str,
    parse: fn(&str) -> Result<u32, String>,
) -> Option<u32> {
    filled(s).and_then(|s| errors.check(field, parse(s)))
}

impl EnvForm {
    /// A row the user did not fill in.
    fn is_blank(&self) -> bool {
        self.key.trim().is_empty() && self.value.is_empty()
    }
}

impl TaskDefinitionForm {
    /// A blank form with one essential container, as the create page starts.
    pub fn blank(region: &str) -> Self {
        Self {
            containers: vec![ContainerForm { essential: on(true), ..Default::default() }],
            region: region.to_string(),
            ..Default::default()
        }
    }

    /// Form → Spec: [`Self::draft`], then [`TaskDefinitionDraft::validate`], with every message
    /// of both. From the JSON view, the JSON is the source and its messages go on `json`.
    pub fn parse(&self) -> Result<TaskDefinitionSpec, FieldErrors> {
        if self.mode == "json" {
            return TaskDefinitionSpec::from_json(&self.json).map_err(|e| {
                let mut errors = FieldErrors::new();
                errors.add("json", e);
                errors
            });
        }
        let (draft, mut errors) = self.draft();
        match draft.validate() {
            Ok(spec) if errors.is_empty() => Ok(spec),
            Ok(_) => Err(errors),
            Err(more) => {
                errors.merge(more);
                Err(errors)
            }
        }
    }

    /// Reads the wire strings (checkboxes, vCPU and GB). A size that cannot be read gets its
    /// message and is left empty in the draft.
    pub fn draft(&self) -> (TaskDefinitionDraft, FieldErrors) {
        let mut errors = FieldErrors::new();
        let text = |s: &str| filled(s).map(str::to_string);
        let cpu = optional_size(&mut errors, "task_cpu".into(), &self.task_cpu, parse_vcpu);
        let memory = optional_size(&mut errors, "task_memory".into(), &self.task_memory, parse_gb);
        let containers = self
            .containers
            .iter()
            .enumerate()
            .map(|(i, c)| ContainerDraft {
                name: c.name.clone(),
                image: c.image.clone(),
                essential: checked(&c.essential),
                cpu: optional_size(&mut errors, format!("containers.{i}.cpu"), &c.cpu, parse_vcpu),
                memory: optional_size(&mut errors, format!("containers.{i}.memory"), &c.memory, parse_gb),
                env: c.env.clone(),
                log_group: checked(&c.auto_logs).then(|| c.log_group.clone()),
            })
            .collect();
        let draft = TaskDefinitionDraft {
            family: self.family.clone(),
            task_role: text(&self.task_role),
            execution_role: text(&self.execution_role),
            cpu,
            memory,
            containers,
            region: self.region.clone(),
        };
        (draft, errors)
    }
}

impl TaskDefinitionDraft {
    /// Draft → Spec: every rule, one message per field (keyed as the form's fields).
    pub fn validate(&self) -> Result<TaskDefinitionSpec, FieldErrors> {
        let mut errors = FieldErrors::new();
        let family =
            errors.check("family", ResourceName::parse("daemon task definition family", &self.family));
        let task_role_arn = errors.check("task_role", parse_optional_role(&self.task_role));
        let execution_role_arn = errors.check("execution_role", parse_optional_role(&self.execution_role));
        let region = filled(&self.region).unwrap_or("us-east-1");

        if self.containers.is_empty() {
            errors.add("containers", "Add at least one container.");
        }
        if self.containers.len() > MAX_CONTAINERS {
            errors.add(
                "containers",
                format!("A daemon task definition can have at most {MAX_CONTAINERS} containers."),
            );
        }
        let mut containers = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, c) in self.containers.iter().enumerate() {
            let f = |name: &str| format!("containers.{i}.{name}");
            let name = errors.check(f("name"), ResourceName::parse("container name", &c.name));
            if let Some(n) = &name {
                if !seen.insert(n.as_str().to_string()) {
                    errors.add(f("name"), format!("Another container is already named {n}."));
                }
            }
            let image = errors.check(f("image"), parse_image(&c.image));
            let cpu = errors.check(f("cpu"), c.cpu.ok_or_else(|| missing_size("CPU")));
            let memory = errors.check(f("memory"), c.memory.ok_or_else(|| missing_size("memory")));
            let mut environment = Vec::new();
            let mut keys = std::collections::HashSet::new();
            if c.env.iter().filter(|e| !e.is_blank()).count() > MAX_ENV_VARS {
                errors.add(f("env"), format!("At most {MAX_ENV_VARS} environment variables."));
            }
            for (j, e) in c.env.iter().enumerate().filter(|(_, e)| !e.is_blank()) {
                let key = errors.check(format!("containers.{i}.env.{j}.key"), parse_env_key(&e.key));
                if e.value.len() > MAX_ENV_VALUE {
                    errors.add(
                        format!("containers.{i}.env.{j}.value"),
                        format!("A value can have at most {MAX_ENV_VALUE} characters."),
                    );
                }
                if let Some(k) = key {
                    if !keys.insert(k.clone()) {
                        errors.add(format!("containers.{i}.env.{j}.key"), format!("{k} is set twice."));
                    }
                    environment.push((k, e.value.clone()));
                }
            }
            let logs = match &c.log_group {
                Some(group) => errors.check(f("log_group"), parse_log_group(group)).map(|group| {
                    Some(LogSpec {
                        group,
                        region: region.to_string(),
                        stream_prefix: LOG_STREAM_PREFIX.into(),
                        create_group: true,
                    })
                }),
                None => Some(None),
            };
            if let (Some(name), Some(image), Some(cpu), Some(memory), Some(logs)) =
                (name, image, cpu, memory, logs)
            {
                containers.push(ContainerSpec {
                    name: name.to_string(),
                    image,
                    essential: c.essential,
                    cpu,
                    memory,
                    environment,
                    logs,
                });
            }
        }
        if !self.containers.is_empty() && !self.containers.iter().any(|c| c.essential) {
            errors.add("containers", "At least one container must be essential.");
        }
        let (Some(family), Some(task_role_arn), Some(execution_role_arn), true) =
            (family, task_role_arn, execution_role_arn, errors.is_empty())
        else {
            return Err(errors);
        };
        let spec = TaskDefinitionSpec {
            family,
            task_role_arn,
            execution_role_arn,
            cpu: self.cpu,
            memory: self.memory,
            containers,
        };
        spec.check_task_size().map_err(|(field, msg)| {
            let mut e = FieldErrors::new();
            e.add(field, msg);
            e
        })?;
        Ok(spec)
    }
}

impl TaskDefinitionSpec {
    /// Whether a role was given by name, so the server must know the account to register it.
    pub fn has_role_names(&self) -> bool {
        [&self.task_role_arn, &self.execution_role_arn]
            .into_iter()
            .flatten()
            .any(|r| matches!(RoleInput::parse(r), Ok(RoleInput::Name(_))))
    }

    /// The spec with role names replaced by their ARN in `scope`'s account (ECS takes either;
    /// the portal registers ARNs so the revision shows what was meant). Without a scope a name
    /// cannot be expanded, and the field says to type the ARN.
    pub fn with_expanded_roles(mut self, scope: Option<&RoleScope>) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::new();
        for (field, role) in
            [("task_role", &mut self.task_role_arn), ("execution_role", &mut self.execution_role_arn)]
        {
            let Some(typed) = role.as_deref() else { continue };
            match (RoleInput::parse(typed), scope) {
                (Ok(r @ RoleInput::Arn(_)), _) => *role = Some(r.as_typed().to_string()),
                (Ok(r), Some(scope)) => *role = Some(r.expand(scope).as_str().to_string()),
                (Ok(_), None) => errors.add(
                    field,
                    "The portal cannot tell this account's ID (it sees no cluster yet); enter the role's full ARN.",
                ),
                (Err(e), _) => errors.add(field, e),
            }
        }
        if errors.is_empty() {
            Ok(self)
        } else {
            Err(errors)
        }
    }

    /// Task-level size, when given, must hold the containers.
    fn check_task_size(&self) -> Result<(), (&'static str, String)> {
        let cpu: u32 = self.containers.iter().map(|c| c.cpu).sum();
        let mem: u32 = self.containers.iter().map(|c| c.memory).sum();
        if let Some(task_cpu) = self.cpu {
            if cpu > task_cpu {
                return Err((
                    "task_cpu",
                    format!(
                        "The containers need {} vCPU, more than the task's {} vCPU.",
                        format_vcpu(cpu),
                        format_vcpu(task_cpu)
                    ),
                ));
            }
        }
        if let Some(task_mem) = self.memory {
            if mem > task_mem {
                return Err((
                    "task_memory",
                    format!(
                        "The containers need {} GB, more than the task's {} GB.",
                        format_gb(mem),
                        format_gb(task_mem)
                    ),
                ));
            }
        }
        Ok(())
    }

    /// CPU units and MiB one copy of this daemon reserves on an instance.
    pub fn reservation(&self) -> (u32, u32) {
        let cpu: u32 = self.containers.iter().map(|c| c.cpu).sum();
        let mem: u32 = self.containers.iter().map(|c| c.memory).sum();
        (self.cpu.unwrap_or(cpu).max(cpu), self.memory.unwrap_or(mem).max(mem))
    }

    /// The input of `aws ecs register-daemon-task-definition --cli-input-json`.
    pub fn to_json(&self) -> Value {
        let mut root = Map::new();
        root.insert("family".into(), json!(self.family));
        if let Some(r) = &self.task_role_arn {
            root.insert("taskRoleArn".into(), json!(r));
        }
        if let Some(r) = &self.execution_role_arn {
            root.insert("executionRoleArn".into(), json!(r));
        }
        if let Some(c) = self.cpu {
            root.insert("cpu".into(), json!(c.to_string()));
        }
        if let Some(m) = self.memory {
            root.insert("memory".into(), json!(m.to_string()));
        }
        let containers: Vec<Value> = self
            .containers
            .iter()
            .map(|c| {
                let mut o = Map::new();
                o.insert("name".into(), json!(c.name));
                o.insert("image".into(), json!(c.image));
                o.insert("essential".into(), json!(c.essential));
                o.insert("cpu".into(), json!(c.cpu));
                o.insert("memory".into(), json!(c.memory));
                if !c.environment.is_empty() {
                    o.insert(
                        "environment".into(),
                        Value::Array(
                            c.environment.iter().map(|(k, v)| json!({"name": k, "value": v})).collect(),
                        ),
                    );
                }
                if let Some(l) = &c.logs {
                    o.insert(
                        "logConfiguration".into(),
                        json!({
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": l.group,
                                "awslogs-region": l.region,
                                "awslogs-stream-prefix": l.stream_prefix,
                                "awslogs-create-group": if l.create_group { "true" } else { "false" },
                            }
                        }),
                    );
                }
                Value::Object(o)
            })
            .collect();
        root.insert("containerDefinitions".into(), Value::Array(containers));
        Value::Object(root)
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(&self.to_json()).unwrap_or_default()
    }

    /// Parses the JSON view (the `--cli-input-json` shape) with the same rules as the form.
    pub fn from_json(text: &str) -> Result<Self, String> {
        if text.len() > MAX_JSON_BYTES {
            return Err(format!("The JSON can be at most {} KB.", MAX_JSON_BYTES / 1024));
        }
        let v: Value = serde_json::from_str(text).map_err(|e| format!("This is not valid JSON: {e}."))?;
        Self::from_value(&v)
    }

    pub fn from_value(v: &Value) -> Result<Self, String> {
        TaskDefinitionForm::from_json_value(v)?.parse().map_err(|e| e.summary())
    }
}

impl TaskDefinitionForm {
    /// The JSON view's text as form fields, checking only its shape (not the field rules), so
    /// a half-filled definition can move between the JSON view and the form.
    pub fn from_json_text(text: &str) -> Result<Self, String> {
        if text.len() > MAX_JSON_BYTES {
            return Err(format!("The JSON can be at most {} KB.", MAX_JSON_BYTES / 1024));
        }
        let v: Value = serde_json::from_str(text).map_err(|e| format!("This is not valid JSON: {e}."))?;
        Self::from_json_value(&v)
    }

    /// See [`Self::from_json_text`].
    pub fn from_json_value(v: &Value) -> Result<Self, String> {
        let obj = v.as_object().ok_or("The JSON must be an object with family and containerDefinitions.")?;
        let s = |k: &str| obj.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let known = ["family", "taskRoleArn", "executionRoleArn", "cpu", "memory", "containerDefinitions"];
        if let Some(k) = obj.keys().find(|k| !known.contains(&k.as_str())) {
            return Err(format!("`{k}` is not supported by this form (supported: {}).", known.join(", ")));
        }
        let to_units = |k: &str, v: Option<&Value>| -> Result<Option<u32>, String> {
            match v {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.is_empty() => Ok(None),
                Some(Value::String(s)) => {
                    s.parse::<u32>().map(Some).map_err(|_| format!("`{k}` must be a whole number."))
                }
                Some(Value::Number(n)) => n
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .map(Some)
                    .ok_or(format!("`{k}` must be a whole number.")),
                _ => Err(format!("`{k}` must be a number.")),
            }
        };
        let mut form = TaskDefinitionForm {
            family: s("family"),
            task_role: s("taskRoleArn"),
            execution_role: s("executionRoleArn"),
            task_cpu: to_units("cpu", obj.get("cpu"))?.map(format_vcpu).unwrap_or_default(),
            task_memory: to_units("memory", obj.get("memory"))?.map(format_gb).unwrap_or_default(),
            ..Default::default()
        };
        let defs = obj
            .get("containerDefinitions")
            .and_then(Value::as_array)
            .ok_or("`containerDefinitions` must be a list of containers.")?;
        for (i, c) in defs.iter().enumerate() {
            let c = c.as_object().ok_or(format!("containerDefinitions[{i}] must be an object."))?;
            let cs = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let cpu = to_units(&format!("containerDefinitions[{i}].cpu"), c.get("cpu"))?;
            let memory = to_units(&format!("containerDefinitions[{i}].memory"), c.get("memory"))?;
            let env = match c.get("environment") {
                None => vec![],
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|e| EnvForm {
                        key: e.get("name").and_then(Value::as_str).unwrap_or("").to_string(),
                        value: e.get("value").and_then(Value::as_str).unwrap_or("").to_string(),
                    })
                    .collect(),
                _ => {
                    return Err(format!(
                        "containerDefinitions[{i}].environment must be a list of {{name, value}}."
                    ))
                }
            };
            let (auto_logs, log_group, region) = match c.get("logConfiguration") {
                Some(l) => {
                    if l.get("logDriver").and_then(Value::as_str) != Some("awslogs") {
                        return Err(format!("containerDefinitions[{i}].logConfiguration: only the awslogs driver is supported."));
                    }
                    let opt = |k: &str| {
                        l.pointer(&format!("/options/{k}")).and_then(Value::as_str).unwrap_or("").to_string()
                    };
                    (on(true), opt("awslogs-group"), opt("awslogs-region"))
                }
                None => (None, String::new(), String::new()),
            };
            if !region.is_empty() {
                form.region = region;
            }
            let essential = c.get("essential").and_then(Value::as_bool).unwrap_or(true);
            form.containers.push(ContainerForm {
                name: cs("name"),
                image: cs("image"),
                essential: on(essential),
                cpu: cpu.map(format_vcpu).unwrap_or_default(),
                memory: memory.map(format_gb).unwrap_or_default(),
                env,
                auto_logs,
                log_group,
            });
        }
        Ok(form)
    }

    /// The JSON view of this form as typed: the registered shape when it is valid, otherwise
    /// the same shape with what could be read (for switching views mid-edit).
    pub fn to_json_lenient(&self) -> Value {
        let mut plain = self.clone();
        plain.mode = String::new();
        if let Ok(spec) = plain.parse() {
            return spec.to_json();
        }
        fn size(s: &str, parse: fn(&str) -> Result<u32, String>) -> Option<Value> {
            let t = s.trim();
            if t.is_empty() {
                None
            } else {
                Some(parse(t).map(|u| json!(u)).unwrap_or_else(|_| json!(t)))
            }
        }
        let region = if self.region.trim().is_empty() { "us-east-1" } else { self.region.trim() };
        let mut root = Map::new();
        root.insert("family".into(), json!(self.family.trim()));
        if !self.task_role.trim().is_empty() {
            root.insert("taskRoleArn".into(), json!(self.task_role.trim()));
        }
        if !self.execution_role.trim().is_empty() {
            root.insert("executionRoleArn".into(), json!(self.execution_role.trim()));
        }
        let as_text = |v: Value| match v {
            Value::Number(n) => json!(n.to_string()),
            other => other,
        };
        if let Some(v) = size(&self.task_cpu, parse_vcpu) {
            root.insert("cpu".into(), as_text(v));
        }
        if let Some(v) = size(&self.task_memory, parse_gb) {
            root.insert("memory".into(), as_text(v));
        }
        let containers = self
            .containers
            .iter()
            .map(|c| {
                let mut o = Map::new();
                o.insert("name".into(), json!(c.name.trim()));
                o.insert("image".into(), json!(c.image.trim()));
                o.insert("essential".into(), json!(checked(&c.essential)));
                if let Some(v) = size(&c.cpu, parse_vcpu) {
                    o.insert("cpu".into(), v);
                }
                if let Some(v) = size(&c.memory, parse_gb) {
                    o.insert("memory".into(), v);
                }
                let env: Vec<Value> = c
                    .env
                    .iter()
                    .filter(|e| !(e.key.trim().is_empty() && e.value.is_empty()))
                    .map(|e| json!({"name": e.key.trim(), "value": e.value}))
                    .collect();
                if !env.is_empty() {
                    o.insert("environment".into(), Value::Array(env));
                }
                if checked(&c.auto_logs) {
                    o.insert(
                        "logConfiguration".into(),
                        json!({
                            "logDriver": "awslogs",
                            "options": {
                                "awslogs-group": c.log_group.trim(),
                                "awslogs-region": region,
                                "awslogs-stream-prefix": LOG_STREAM_PREFIX,
                                "awslogs-create-group": "true",
                            }
                        }),
                    );
                }
                Value::Object(o)
            })
            .collect();
        root.insert("containerDefinitions".into(), Value::Array(containers));
        Value::Object(root)
    }
}

impl TaskDefinitionSpec {
    /// The form prefilled with this definition (for "Create new revision").
    pub fn to_form(&self) -> TaskDefinitionForm {
        TaskDefinitionForm {
            family: self.family.to_string(),
            task_role: self.task_role_arn.clone().unwrap_or_default(),
            execution_role: self.execution_role_arn.clone().unwrap_or_default(),
            task_cpu: self.cpu.map(format_vcpu).unwrap_or_default(),
            task_memory: self.memory.map(format_gb).unwrap_or_default(),
            region: self
                .containers
                .iter()
                .find_map(|c| c.logs.as_ref().map(|l| l.region.clone()))
                .unwrap_or_default(),
            containers: self
                .containers
                .iter()
                .map(|c| ContainerForm {
                    name: c.name.clone(),
                    image: c.image.clone(),
                    essential: on(c.essential),
                    cpu: format_vcpu(c.cpu),
                    memory: format_gb(c.memory),
                    env: c
                        .environment
                        .iter()
                        .map(|(k, v)| EnvForm { key: k.clone(), value: v.clone() })
                        .collect(),
                    auto_logs: on(c.logs.is_some()),
                    log_group: c.logs.as_ref().map(|l| l.group.clone()).unwrap_or_default(),
                })
                .collect(),
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cwagent_form() -> TaskDefinitionForm {
        TaskDefinitionForm {
            family: "cloudwatch-agent-daemon".into(),
            execution_role: "arn:aws:iam::123456789012:role/ecsTaskExecutionRole".into(),
            region: "us-east-1".into(),
            containers: vec![ContainerForm {
                name: "cwagent".into(),
                image: "amazon/cloudwatch-agent:latest".into(),
                essential: Some("on".into()),
                cpu: "1".into(),
                memory: "0.5".into(),
                env: vec![
                    EnvForm { key: "CW_CONFIG_CONTENT".into(), value: "{\"logs\":{}}".into() },
                    EnvForm::default(),
                ],
                auto_logs: Some("on".into()),
                log_group: "/ecs/cloudwatch-agent-daemon".into(),
            }],
            ..Default::default()
        }
    }

    #[test]
    fn the_guide_example_parses_to_units_and_mib() {
        let spec = cwagent_form().parse().unwrap();
        let c = &spec.containers[0];
        assert_eq!((c.cpu, c.memory), (1024, 512));
        assert!(c.essential);
        assert_eq!(c.environment, vec![("CW_CONFIG_CONTENT".to_string(), "{\"logs\":{}}".to_string())]);
        assert_eq!(c.logs.as_ref().unwrap().group, "/ecs/cloudwatch-agent-daemon");
        assert_eq!(spec.reservation(), (1024, 512));
    }

    #[test]
    fn json_round_trips_through_the_form() {
        let spec = cwagent_form().parse().unwrap();
        let json = spec.to_json_pretty();
        assert!(json.contains("\"awslogs-group\": \"/ecs/cloudwatch-agent-daemon\""));
        assert_eq!(TaskDefinitionSpec::from_json(&json).unwrap(), spec);
        assert_eq!(spec.to_form().parse().unwrap(), spec);
    }

    #[test]
    fn role_names_are_accepted_and_expanded_in_the_account() {
        let mut f = cwagent_form();
        f.execution_role = "ecsTaskExecutionRole".into();
        f.task_role = "service-role/agent".into();
        let spec = f.parse().unwrap();
        assert_eq!(spec.execution_role_arn.as_deref(), Some("ecsTaskExecutionRole"));
        assert!(spec.has_role_names());
        let scope = RoleScope { partition: "aws".into(), account: "123456789012".into() };
        let out = spec.clone().with_expanded_roles(Some(&scope)).unwrap();
        assert_eq!(
            out.execution_role_arn.as_deref(),
            Some("arn:aws:iam::123456789012:role/ecsTaskExecutionRole")
        );
        assert_eq!(out.task_role_arn.as_deref(), Some("arn:aws:iam::123456789012:role/service-role/agent"));
        assert!(!out.has_role_names());
        let e = spec.with_expanded_roles(None).unwrap_err();
        assert!(e.get("execution_role").unwrap().contains("full ARN"), "{e:?}");
    }

    #[test]
    fn every_bad_field_gets_its_own_message() {
        let mut f = cwagent_form();
        f.family = "bad family!".into();
        f.execution_role = "not a role!".into();
        f.containers[0].image = "".into();
        f.containers[0].cpu = "-1".into();
        f.containers[0].memory = "lots".into();
        f.containers[0].env[0].key = "1BAD".into();
        f.containers[0].log_group = "".into();
        let e = f.parse().unwrap_err();
        for field in [
            "family",
            "execution_role",
            "containers.0.image",
            "containers.0.cpu",
            "containers.0.memory",
            "containers.0.env.0.key",
            "containers.0.log_group",
        ] {
            assert!(e.get(field).is_some(), "no error for {field}: {e:?}");
        }
    }

    #[test]
    fn containers_must_exist_be_unique_and_one_essential() {
        let mut f = cwagent_form();
        f.containers.clear();
        assert!(f.parse().unwrap_err().get("containers").is_some());
        let mut f = cwagent_form();
        f.containers.push(f.containers[0].clone());
        assert!(f.parse().unwrap_err().get("containers.1.name").unwrap().contains("already named"));
        let mut f = cwagent_form();
        f.containers[0].essential = None;
        assert!(f.parse().unwrap_err().get("containers").unwrap().contains("essential"));
    }

    #[test]
    fn malformed_or_oversized_json_is_refused_on_the_json_field() {
        let mut f = cwagent_form();
        f.mode = "json".into();
        f.json = "{ not json".into();
        assert!(f.parse().unwrap_err().get("json").unwrap().contains("not valid JSON"));
        f.json = format!("{{\"family\": \"{}\"}}", "a".repeat(MAX_JSON_BYTES));
        assert!(f.parse().unwrap_err().get("json").unwrap().contains("at most"));
        f.json = r#"{"family":"x","containerDefinitions":[],"volumes":[]}"#.into();
        assert!(f.parse().unwrap_err().get("json").unwrap().contains("volumes"));
    }

    #[test]
    fn half_filled_forms_move_between_json_and_form() {
        let mut f = cwagent_form();
        f.containers[0].cpu = "lots".into();
        f.containers[0].image = "".into();
        let v = f.to_json_lenient();
        assert_eq!(v["containerDefinitions"][0]["cpu"], "lots");
        let back = TaskDefinitionForm::from_json_value(&v).unwrap_err();
        assert!(back.contains("cpu"), "{back}");
        f.containers[0].cpu = "".into();
        let back = TaskDefinitionForm::from_json_value(&f.to_json_lenient()).unwrap();
        assert_eq!(back.containers[0].image, "");
        assert_eq!(back.containers[0].name, "cwagent");
        assert_eq!(back.containers[0].env.len(), 1);
        // A valid form gives exactly the registered JSON.
        assert_eq!(cwagent_form().to_json_lenient(), cwagent_form().parse().unwrap().to_json());
    }

    #[test]
    fn task_size_must_hold_the_containers() {
        let mut f = cwagent_form();
        f.task_cpu = "0.5".into();
        assert!(f.parse().unwrap_err().get("task_cpu").unwrap().contains("more than the task"));
    }

    #[test]
    fn the_form_reads_into_a_typed_draft_keeping_row_positions() {
        let mut f = cwagent_form();
        f.task_cpu = "2".into();
        f.containers[0].env.insert(0, EnvForm::default());
        let (d, e) = f.draft();
        assert!(e.is_empty(), "{e:?}");
        assert_eq!((d.cpu, d.memory), (Some(2048), None));
        let c = &d.containers[0];
        assert!(c.essential);
        assert_eq!((c.cpu, c.memory), (Some(1024), Some(512)));
        assert_eq!(c.log_group.as_deref(), Some("/ecs/cloudwatch-agent-daemon"));
        assert_eq!(c.env.len(), 3, "blank rows stay, so messages keep the row the user sees");
        let spec = d.validate().unwrap();
        assert_eq!(spec.family.as_str(), "cloudwatch-agent-daemon");

        f.containers[0].env[2].key = "1BAD".into();
        assert!(f.parse().unwrap_err().get("containers.0.env.2.key").is_some());
    }

    #[test]
    fn blank_and_unreadable_sizes_get_a_message_each() {
        let mut f = cwagent_form();
        f.containers[0].cpu = "".into();
        f.containers[0].memory = "½".into();
        f.task_memory = "-2".into();
        f.containers[0].auto_logs = None;
        f.containers[0].log_group = "not checked, so not read".into();
        let e = f.parse().unwrap_err();
        assert!(e.get("containers.0.cpu").unwrap().starts_with("Enter the CPU"), "{e:?}");
        assert!(e.get("containers.0.memory").unwrap().contains("number"), "{e:?}");
        assert!(e.get("task_memory").unwrap().contains("greater than 0"), "{e:?}");
        assert_eq!(e.len(), 3, "{e:?}");
    }

    #[test]
    fn a_draft_from_json_is_checked_by_the_same_rules() {
        let d: TaskDefinitionDraft = serde_json::from_str(
            r#"{"family":"bad family","containers":[{"name":"a","image":"x","essential":false,"cpu":256}]}"#,
        )
        .unwrap();
        let e = d.validate().unwrap_err();
        assert!(e.get("family").is_some());
        assert!(e.get("containers.0.memory").unwrap().starts_with("Enter the memory"));
        assert!(e.get("containers").unwrap().contains("essential"));
        assert!(serde_json::from_str::<TaskDefinitionDraft>(r#"{"familly":"x"}"#).is_err());
    }
}
