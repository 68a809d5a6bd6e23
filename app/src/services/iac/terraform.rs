//! Terraform HCL for the AWS provider: `aws_ecs_daemon_task_definition` (one
//! `container_definition` block per container, `environment` and `log_configuration` blocks)
//! and `aws_ecs_daemon` (its `deployment_configuration` block, and `daemon_task_definition_arn`
//! referring to the revision's resource). Built as an `hcl::Body` and written by hcl-rs, which
//! quotes and escapes (`${` becomes `$${`, so a value is never read as an interpolation).
//!
//! `aws_ecs_daemon` has no `critical` argument: a daemon that is not critical gets a comment
//! saying so (comments are not part of HCL's data model, so they go above the body).

use hcl::{
    expr::{Traversal, Variable},
    Block, Body, Expression, Object, ObjectKey,
};

use super::{
    cloudformation::log_options,
    model::{Bundle, DaemonIac, NameStyle, RevisionIac},
};

const TASK_DEFINITION: &str = "aws_ecs_daemon_task_definition";
const DAEMON: &str = "aws_ecs_daemon";

fn map<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Expression {
    let object: Object<ObjectKey, Expression> =
        pairs.into_iter().map(|(k, v)| (ObjectKey::from(k), Expression::from(v))).collect();
    Expression::from(object)
}

fn task_definition(r: &RevisionIac, name: &str) -> Block {
    let s = &r.spec;
    let mut b = Block::builder("resource")
        .add_label(TASK_DEFINITION)
        .add_label(name)
        .add_attribute(("family", s.family.as_str()));
    if let Some(role) = &s.task_role_arn {
        b = b.add_attribute(("task_role_arn", role.as_str()));
    }
    if let Some(role) = &s.execution_role_arn {
        b = b.add_attribute(("execution_role_arn", role.as_str()));
    }
    // Strings, as the API and the provider take them.
    if let Some(cpu) = s.cpu {
        b = b.add_attribute(("cpu", cpu.to_string()));
    }
    if let Some(memory) = s.memory {
        b = b.add_attribute(("memory", memory.to_string()));
    }
    for c in &s.containers {
        let mut cb = Block::builder("container_definition")
            .add_attribute(("name", c.name.as_str()))
            .add_attribute(("image", c.image.as_str()))
            .add_attribute(("essential", c.essential))
            .add_attribute(("cpu", c.cpu))
            .add_attribute(("memory", c.memory));
        for (k, v) in &c.environment {
            cb = cb.add_block(
                Block::builder("environment")
                    .add_attribute(("name", k.as_str()))
                    .add_attribute(("value", v.as_str()))
                    .build(),
            );
        }
        if let Some(options) = log_options(c) {
            cb = cb.add_block(
                Block::builder("log_configuration")
                    .add_attribute(("log_driver", "awslogs"))
                    .add_attribute(("options", map(options.iter().map(|(k, v)| (*k, v.as_str())))))
                    .build(),
            );
        }
        b = b.add_block(cb.build());
    }
    b.build()
}

fn daemon(d: &DaemonIac, name: &str, task_definition: Option<&str>) -> Result<Block, hcl::Error> {
    let s = &d.spec;
    let td: Expression = match task_definition {
        Some(td) => Traversal::builder(Variable::new(TASK_DEFINITION)?).attr(td).attr("arn").build().into(),
        None => d.task_definition_arn.as_str().into(),
    };
    let mut config = Block::builder("deployment_configuration")
        .add_attribute(("drain_percent", s.drain_percent))
        .add_attribute(("bake_time_in_minutes", s.bake_time_minutes));
    if !s.alarms.is_empty() {
        config = config.add_block(
            Block::builder("alarms")
                .add_attribute(("alarm_names", s.alarms.clone()))
                .add_attribute(("enable", s.rollback_on_alarm))
                .build(),
        );
    }
    let mut b = Block::builder("resource")
        .add_label(DAEMON)
        .add_label(name)
        .add_attribute(("name", s.daemon_name.as_str()))
        .add_attribute(("cluster_arn", d.cluster_arn.as_str()))
        .add_attribute(("daemon_task_definition_arn", td))
        .add_attribute(("capacity_provider_arns", d.capacity_provider_arns.clone()))
        .add_attribute(("propagate_tags", d.propagate_tags()))
        .add_attribute(("enable_ecs_managed_tags", s.ecs_managed_tags))
        .add_attribute(("enable_execute_command", s.execute_command))
        .add_block(config.build());
    if !s.tags.is_empty() {
        b = b.add_attribute(("tags", map(s.tags.iter().map(|t| (t.key.as_str(), t.value.as_str())))));
    }
    Ok(b.build())
}

pub fn to_hcl(b: &Bundle) -> Result<String, String> {
    let names = b.names(NameStyle::Snake);
    let mut body = Body::builder();
    for (r, n) in b.revisions.iter().zip(&names.revisions) {
        body = body.add_block(task_definition(r, n));
    }
    let mut notes = Vec::new();
    for (d, n) in b.daemons.iter().zip(&names.daemons) {
        let td = b.revision_of(d).map(|i| names.revisions[i].as_str());
        body = body.add_block(daemon(d, n, td).map_err(|e| e.to_string())?);
        if !d.spec.critical {
            notes.push(format!(
                "# {DAEMON}.{n}: the daemon is not critical (critical = false), which the AWS provider cannot set;\n\
                 # after apply, set it with `aws ecs update-daemon ... --no-critical` (UpdateDaemon replaces every setting).\n"
            ));
        }
    }
    let text = hcl::to_string(&body.build()).map_err(|e| e.to_string())?;
    Ok(notes.concat() + &text)
}

#[cfg(test)]
mod tests {
    use super::super::model::tests::rich_bundle;
    use super::*;
    use hcl::Structure;

    fn blocks<'a>(body: &'a Body, ident: &str) -> Vec<&'a Block> {
        body.blocks().filter(|b| b.identifier() == ident).collect()
    }

    fn attr<'a>(body: &'a Body, key: &str) -> &'a Expression {
        body.attributes().find(|a| a.key() == key).map(|a| a.expr()).unwrap_or_else(|| panic!("no {key}"))
    }

    /// A string attribute's text as Terraform reads it (`"$${x}"` is the text `${x}`).
    fn text(e: &Expression) -> String {
        use hcl::eval::{Context, Evaluate};
        match e.evaluate(&Context::new()) {
            Ok(hcl::Value::String(s)) => s,
            other => panic!("not a string: {e:?} → {other:?}"),
        }
    }

    #[test]
    fn the_hcl_parses_back_to_every_field() {
        let hcl_text = to_hcl(&rich_bundle()).unwrap();
        assert!(hcl_text.starts_with("# aws_ecs_daemon.cwagent: the daemon is not critical"), "{hcl_text}");
        let body: Body = hcl::parse(&hcl_text).unwrap();
        let resources = blocks(&body, "resource");
        assert_eq!(resources.len(), 2);
        let td = resources[0];
        assert_eq!(
            td.labels().iter().map(|l| l.as_str()).collect::<Vec<_>>(),
            [TASK_DEFINITION, "cloudwatch_agent_3"]
        );
        let tb = td.body();
        assert_eq!(text(attr(tb, "family")), "cloudwatch-agent");
        assert_eq!(text(attr(tb, "cpu")), "2048");
        assert_eq!(text(attr(tb, "memory")), "1024");
        assert_eq!(text(attr(tb, "task_role_arn")), "arn:aws:iam::123456789012:role/agent-task");
        let containers = blocks(tb, "container_definition");
        assert_eq!(containers.len(), 2);
        let c = containers[0].body();
        assert_eq!(text(attr(c, "image")), "amazon/cloudwatch-agent:1.300");
        assert_eq!(attr(c, "cpu"), &Expression::from(1024));
        assert_eq!(attr(c, "essential"), &Expression::Bool(true));
        let env = blocks(c, "environment");
        assert_eq!(text(attr(env[0].body(), "value")), "{\"logs\": {\"x\": \"${HOME} %{y}\"}}");
        assert_eq!(text(attr(env[1].body(), "value")), "yes\nno: 'quoted' # not a comment");
        let logs = blocks(c, "log_configuration")[0].body();
        let Expression::Object(options) = attr(logs, "options") else { panic!() };
        assert_eq!(options.len(), 4);
        assert_eq!(attr(containers[1].body(), "essential"), &Expression::Bool(false));

        let d = resources[1];
        assert_eq!(d.labels()[0].as_str(), DAEMON);
        let db = d.body();
        assert_eq!(text(attr(db, "name")), "cwagent");
        let Expression::Traversal(t) = attr(db, "daemon_task_definition_arn") else { panic!() };
        assert_eq!(
            hcl::format::to_string(&**t).unwrap(),
            "aws_ecs_daemon_task_definition.cloudwatch_agent_3.arn"
        );
        assert_eq!(text(attr(db, "propagate_tags")), "DAEMON");
        let Expression::Array(providers) = attr(db, "capacity_provider_arns") else { panic!() };
        assert_eq!(providers.len(), 2);
        let config = blocks(db, "deployment_configuration")[0].body();
        assert_eq!(attr(config, "bake_time_in_minutes"), &Expression::from(15));
        let Expression::Number(drain) = attr(config, "drain_percent") else { panic!() };
        assert_eq!(drain.as_f64(), Some(12.5));
        let alarms = blocks(config, "alarms")[0].body();
        assert_eq!(attr(alarms, "enable"), &Expression::Bool(true));
        let Expression::Object(tags) = attr(db, "tags") else { panic!() };
        assert_eq!(tags.len(), 2);
        assert!(body.iter().all(|s| matches!(s, Structure::Block(_))));
    }
}
