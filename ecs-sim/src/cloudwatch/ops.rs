//! CloudWatch `DescribeAlarms` over one world's alarms, apart from any wire format: the
//! input and output carry the API's member names and meanings, `wire.rs` carries them in
//! CBOR. Every alarm in a world is a metric alarm (the emulator has no composite or log
//! alarms), and none has actions.

use crate::state::{Alarm, Ms, State};
use serde::Deserialize;

/// What CloudWatch answers when `MaxRecords` is not given.
pub const DEFAULT_MAX_RECORDS: usize = 50;
/// The most names one request may list, and the largest page.
pub const MAX_ITEMS: usize = 100;

pub const STATES: &[&str] = &["OK", "ALARM", "INSUFFICIENT_DATA"];
pub const ALARM_TYPES: &[&str] = &["CompositeAlarm", "MetricAlarm", "LogAlarm"];

/// `DescribeAlarmsInput`, member for member. Members the emulator has nothing to match
/// (`ActionPrefix`, `ChildrenOfAlarmName`, `ParentsOfAlarmName`) are still read: each
/// narrows the answer, and answering as if it were absent would return alarms it excludes.
#[derive(Deserialize, Default, Debug, Clone, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct DescribeAlarmsInput {
    pub alarm_names: Option<Vec<String>>,
    pub alarm_name_prefix: Option<String>,
    pub alarm_types: Option<Vec<String>>,
    pub children_of_alarm_name: Option<String>,
    pub parents_of_alarm_name: Option<String>,
    pub state_value: Option<String>,
    pub action_prefix: Option<String>,
    pub max_records: Option<i64>,
    pub next_token: Option<String>,
}

/// `DescribeAlarmsOutput`. `CompositeAlarms` is always an empty list (there are none), so it
/// has no member here. `MetricAlarms` is a list even when metric alarms were not asked for,
/// as CloudWatch's awsQuery answers always carried both; `LogAlarms`, a newer type, is
/// answered (empty) only when asked for.
#[derive(Debug, Clone, PartialEq)]
pub struct DescribeAlarmsOutput {
    pub metric_alarms: Vec<MetricAlarm>,
    pub log_alarms_asked: bool,
    pub next_token: Option<String>,
}

/// The members of `MetricAlarm` the emulator knows.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricAlarm {
    pub alarm_name: String,
    pub alarm_arn: String,
    pub state_value: String,
    pub state_reason: String,
    /// The last state change, on the simulated clock (also `StateTransitionedTimestamp`:
    /// the emulator changes only the state, never the reason alone).
    pub state_updated_timestamp: Ms,
    pub actions_enabled: bool,
}

/// The errors `DescribeAlarms` can give, by their awsQuery codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AlarmsError {
    InvalidNextToken(String),
    InvalidParameterCombination(String),
    /// A member outside its modeled constraints (`ValidationError`).
    Validation(String),
}

impl AlarmsError {
    pub fn message(&self) -> &str {
        match self {
            AlarmsError::InvalidNextToken(m)
            | AlarmsError::InvalidParameterCombination(m)
            | AlarmsError::Validation(m) => m,
        }
    }
}

pub fn alarm_arn(st: &State, name: &str) -> String {
    format!("arn:aws:cloudwatch:{}:{}:alarm:{name}", st.scope.region, st.scope.account)
}

pub fn describe_alarms(st: &State, input: &DescribeAlarmsInput) -> Result<DescribeAlarmsOutput, AlarmsError> {
    check(input)?;
    let page_size = match input.max_records {
        None => DEFAULT_MAX_RECORDS,
        Some(n) => n as usize,
    };
    let after = match input.next_token.as_deref().filter(|t| !t.is_empty()) {
        None => None,
        Some(t) => Some(
            crate::arn::decode_token(t)
                .ok_or_else(|| AlarmsError::InvalidNextToken(format!("Invalid NextToken: {t}")))?,
        ),
    };
    // Without AlarmTypes CloudWatch answers metric alarms only, even when others exist.
    let wants = |t: &str| match &input.alarm_types {
        None => t == "MetricAlarm",
        Some(types) => types.iter().any(|x| x == t),
    };
    // Children and parents are relations of composite alarms, and there are none; names are
    // sorted (the BTreeMap's order), so a page resumes after the last name it returned.
    let related_only = input.children_of_alarm_name.is_some() || input.parents_of_alarm_name.is_some();
    let mut matching = st
        .alarms
        .values()
        .filter(|_| !related_only && input.action_prefix.is_none())
        .filter(|a| after.as_deref().is_none_or(|last| a.name.as_str() > last))
        .filter(|a| names_match(input, a))
        .filter(|a| input.state_value.as_deref().is_none_or(|s| a.state == s));
    let metric_alarms: Vec<MetricAlarm> = if wants("MetricAlarm") {
        matching.by_ref().take(page_size).map(|a| metric_alarm(st, a)).collect()
    } else {
        Vec::new()
    };
    let next_token = match (metric_alarms.last(), matching.next()) {
        (Some(last), Some(_)) => Some(crate::arn::encode_token(&last.alarm_name)),
        _ => None,
    };
    Ok(DescribeAlarmsOutput { metric_alarms, log_alarms_asked: wants("LogAlarm"), next_token })
}

fn names_match(input: &DescribeAlarmsInput, a: &Alarm) -> bool {
    // An empty AlarmNames list is no filter, as when it is left out.
    let by_name = match input.alarm_names.as_deref() {
        None | Some([]) => true,
        Some(names) => names.contains(&a.name),
    };
    by_name && input.alarm_name_prefix.as_deref().is_none_or(|p| a.name.starts_with(p))
}

fn metric_alarm(st: &State, a: &Alarm) -> MetricAlarm {
    MetricAlarm {
        alarm_name: a.name.clone(),
        alarm_arn: alarm_arn(st, &a.name),
        state_value: a.state.clone(),
        state_reason: format!(
            "ecs-sim: state {} set by the world file or POST /_sim/alarms/{}",
            a.state, a.name
        ),
        state_updated_timestamp: a.updated_at,
        actions_enabled: true,
    }
}

/// The input's modeled constraints and the member combinations CloudWatch refuses.
fn check(input: &DescribeAlarmsInput) -> Result<(), AlarmsError> {
    let invalid = |value: &dyn std::fmt::Display, member: &str, constraint: &str| {
        AlarmsError::Validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: {constraint}"
        ))
    };
    if let Some(names) = &input.alarm_names {
        if names.len() > MAX_ITEMS {
            return Err(invalid(
                &format!("[{} names]", names.len()),
                "alarmNames",
                "Member must have length less than or equal to 100",
            ));
        }
        for n in names {
            check_name(n, "alarmNames.member")?;
        }
    }
    for (value, member) in [
        (&input.alarm_name_prefix, "alarmNamePrefix"),
        (&input.children_of_alarm_name, "childrenOfAlarmName"),
        (&input.parents_of_alarm_name, "parentsOfAlarmName"),
    ] {
        if let Some(v) = value {
            check_name(v, member)?;
        }
    }
    if let Some(p) = &input.action_prefix {
        if p.is_empty() || p.chars().count() > 1024 {
            return Err(invalid(p, "actionPrefix", "Member must have length between 1 and 1024"));
        }
    }
    if let Some(s) = &input.state_value {
        if !STATES.contains(&s.as_str()) {
            return Err(invalid(
                s,
                "stateValue",
                "Member must satisfy enum value set: [OK, ALARM, INSUFFICIENT_DATA]",
            ));
        }
    }
    for t in input.alarm_types.iter().flatten() {
        if !ALARM_TYPES.contains(&t.as_str()) {
            return Err(invalid(
                t,
                "alarmTypes.member",
                "Member must satisfy enum value set: [CompositeAlarm, MetricAlarm, LogAlarm]",
            ));
        }
    }
    if let Some(n) = input.max_records {
        if !(1..=MAX_ITEMS as i64).contains(&n) {
            return Err(invalid(&n, "maxRecords", "Member must have value between 1 and 100"));
        }
    }
    if input.alarm_names.as_ref().is_some_and(|n| !n.is_empty()) && input.alarm_name_prefix.is_some() {
        return Err(AlarmsError::InvalidParameterCombination(
            "AlarmNames and AlarmNamePrefix cannot be specified together.".into(),
        ));
    }
    let related = input.children_of_alarm_name.is_some() || input.parents_of_alarm_name.is_some();
    let others = input.alarm_names.is_some()
        || input.alarm_name_prefix.is_some()
        || input.alarm_types.is_some()
        || input.state_value.is_some()
        || input.action_prefix.is_some();
    if related
        && (others || (input.children_of_alarm_name.is_some() && input.parents_of_alarm_name.is_some()))
    {
        return Err(AlarmsError::InvalidParameterCombination(
            "ChildrenOfAlarmName and ParentsOfAlarmName can only be combined with MaxRecords and NextToken."
                .into(),
        ));
    }
    Ok(())
}

fn check_name(value: &str, member: &str) -> Result<(), AlarmsError> {
    let n = value.chars().count();
    if (1..=255).contains(&n) {
        Ok(())
    } else {
        Err(AlarmsError::Validation(format!(
            "1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: Member must have length between 1 and 255"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Scope;

    fn world(alarms: &[(&str, &str, Ms)]) -> State {
        let mut st = State { scope: Scope::new("234567890123", "eu-west-1"), ..State::default() };
        for (name, state, at) in alarms {
            st.now = *at;
            st.set_alarm(name, state);
        }
        st
    }

    fn names(out: &DescribeAlarmsOutput) -> Vec<&str> {
        out.metric_alarms.iter().map(|a| a.alarm_name.as_str()).collect()
    }

    fn ask(st: &State, input: DescribeAlarmsInput) -> DescribeAlarmsOutput {
        describe_alarms(st, &input).unwrap()
    }

    #[test]
    fn answers_metric_alarms_sorted_with_the_worlds_arn() {
        let st = world(&[("b", "OK", 1_000), ("a", "ALARM", 2_500)]);
        let out = ask(&st, DescribeAlarmsInput::default());
        assert_eq!(names(&out), ["a", "b"]);
        let a = &out.metric_alarms[0];
        assert_eq!(a.alarm_arn, "arn:aws:cloudwatch:eu-west-1:234567890123:alarm:a");
        assert_eq!(
            (a.state_value.as_str(), a.state_updated_timestamp, a.actions_enabled),
            ("ALARM", 2_500, true)
        );
        assert_eq!(out.next_token, None);
    }

    #[test]
    fn the_timestamp_moves_only_when_the_state_changes() {
        let mut st = world(&[("a", "OK", 1_000)]);
        st.now = 5_000;
        st.set_alarm("a", "OK");
        assert_eq!(st.alarms["a"].updated_at, 1_000);
        st.set_alarm("a", "ALARM");
        assert_eq!(st.alarms["a"].updated_at, 5_000);
    }

    #[test]
    fn filters_combine() {
        let st = world(&[("app-5xx", "OK", 0), ("daemon-cpu", "ALARM", 0), ("daemon-errors", "OK", 0)]);
        let by = |f: fn(&mut DescribeAlarmsInput)| {
            let mut i = DescribeAlarmsInput::default();
            f(&mut i);
            names(&ask(&st, i)).into_iter().map(str::to_string).collect::<Vec<_>>()
        };
        assert_eq!(
            by(|i| i.alarm_names = Some(vec!["daemon-errors".into(), "nope".into()])),
            ["daemon-errors"]
        );
        assert_eq!(by(|i| i.alarm_names = Some(vec![])), ["app-5xx", "daemon-cpu", "daemon-errors"]);
        assert_eq!(by(|i| i.alarm_name_prefix = Some("daemon-".into())), ["daemon-cpu", "daemon-errors"]);
        assert_eq!(
            by(|i| {
                i.alarm_name_prefix = Some("daemon-".into());
                i.state_value = Some("OK".into());
            }),
            ["daemon-errors"]
        );
        assert!(by(|i| i.action_prefix = Some("arn:aws:sns".into())).is_empty());
        assert!(by(|i| i.children_of_alarm_name = Some("app-5xx".into())).is_empty());
        assert!(by(|i| i.alarm_types = Some(vec!["CompositeAlarm".into()])).is_empty());
    }

    #[test]
    fn alarm_types_pick_the_lists() {
        let st = world(&[("a", "OK", 0)]);
        let out = ask(
            &st,
            DescribeAlarmsInput {
                alarm_types: Some(vec!["CompositeAlarm".into(), "MetricAlarm".into()]),
                ..Default::default()
            },
        );
        assert_eq!((names(&out), out.log_alarms_asked), (vec!["a"], false));
        let out = ask(
            &st,
            DescribeAlarmsInput { alarm_types: Some(vec!["LogAlarm".into()]), ..Default::default() },
        );
        assert_eq!((out.metric_alarms, out.log_alarms_asked), (vec![], true));
    }

    #[test]
    fn pages_follow_the_names() {
        let alarms: Vec<(String, &str, Ms)> = (0..7).map(|i| (format!("alarm-{i}"), "OK", 0)).collect();
        let refs: Vec<(&str, &str, Ms)> = alarms.iter().map(|(n, s, t)| (n.as_str(), *s, *t)).collect();
        let st = world(&refs);
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let out = ask(
                &st,
                DescribeAlarmsInput { max_records: Some(3), next_token: token, ..Default::default() },
            );
            assert!(names(&out).len() <= 3);
            seen.extend(names(&out).into_iter().map(str::to_string));
            token = out.next_token;
            if token.is_none() {
                break;
            }
        }
        assert_eq!(seen, (0..7).map(|i| format!("alarm-{i}")).collect::<Vec<_>>());
        // A full last page has no token: the next one would be empty.
        let out = ask(&st, DescribeAlarmsInput { max_records: Some(7), ..Default::default() });
        assert_eq!((names(&out).len(), out.next_token), (7, None));
    }

    #[test]
    fn refusals() {
        let st = world(&[]);
        let err = |i: DescribeAlarmsInput| describe_alarms(&st, &i).unwrap_err();
        assert!(matches!(
            err(DescribeAlarmsInput { next_token: Some("garbage".into()), ..Default::default() }),
            AlarmsError::InvalidNextToken(_)
        ));
        for n in [0, 101] {
            let e = err(DescribeAlarmsInput { max_records: Some(n), ..Default::default() });
            assert!(matches!(&e, AlarmsError::Validation(m) if m.contains("maxRecords")), "{e:?}");
        }
        let e = err(DescribeAlarmsInput { alarm_names: Some(vec!["a".into(); 101]), ..Default::default() });
        assert!(matches!(e, AlarmsError::Validation(_)));
        let e = err(DescribeAlarmsInput { state_value: Some("RED".into()), ..Default::default() });
        assert!(matches!(e, AlarmsError::Validation(_)));
        let e = err(DescribeAlarmsInput { alarm_types: Some(vec!["Metric".into()]), ..Default::default() });
        assert!(matches!(e, AlarmsError::Validation(_)));
        let e = err(DescribeAlarmsInput {
            alarm_names: Some(vec!["a".into()]),
            alarm_name_prefix: Some("a".into()),
            ..Default::default()
        });
        assert!(matches!(e, AlarmsError::InvalidParameterCombination(_)));
        let e = err(DescribeAlarmsInput {
            children_of_alarm_name: Some("a".into()),
            state_value: Some("OK".into()),
            ..Default::default()
        });
        assert!(matches!(e, AlarmsError::InvalidParameterCombination(_)));
    }
}
