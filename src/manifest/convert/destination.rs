//! `destinations:`: the API destinations on the connection's org, each with exactly one
//! target (`event`, `sobject` or `path`), its API version and rate limit.

use super::walker::{At, Walker, at_value, child, kind, lookup, nth};
use crate::manifest::destination_rules::{
    self, DEFAULT_RATE_LIMIT, RATE_LIMIT_MAX, RATE_LIMIT_MIN,
};
use crate::manifest::keys;
use crate::manifest::limits::{self, Violation};
use crate::manifest::yaml::Segment;
use crate::manifest::{DEFAULT_API_VERSION, DestinationSpec, DestinationTarget};
use serde_yaml::Value;

impl Walker<'_> {
    /// `destinations:`, a list of API destinations on this org.
    pub(super) fn destinations(
        &mut self,
        value: &Value,
        path: &[Segment],
    ) -> Option<Vec<DestinationSpec>> {
        let items = self.sequence(
            value,
            path,
            "API destinations",
            "write `destinations:` with one `- name: ...` item per API destination",
        )?;
        let mut ok = true;
        let mut destinations = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let item_path = nth(path, index);
            match self.destination(item, &item_path) {
                Some(destination) => destinations.push(destination),
                None => ok = false,
            }
        }
        ok.then_some(destinations)
    }

    pub(super) fn destination(
        &mut self,
        value: &Value,
        path: &[Segment],
    ) -> Option<DestinationSpec> {
        let entries = self.mapping(value, path, keys::DESTINATION)?;
        let name = self
            .required(
                &entries,
                path,
                "name",
                &format!(
                    "add `name: <api-destination-name>` ({})",
                    limits::name_rule()
                ),
            )
            .and_then(|value| {
                let name_path = child(path, "name");
                let name = self.string(value, &name_path)?;
                (self.check(&name_path, limits::check_name(&name))
                    && self.check(&name_path, self.prefixed(&name, "API destination")))
                .then_some(name)
            });
        let description = match lookup(&entries, "description") {
            Some(value) if !value.is_null() => {
                let description_path = child(path, "description");
                let text = self.string(value, &description_path);
                let rules = self.rules;
                text.filter(|text| {
                    self.check(
                        &description_path,
                        limits::check_description_with(text, &rules.marker),
                    )
                })
                .map(Some)
            }
            _ => Some(None),
        };
        let targets: Vec<&str> = ["event", "sobject", "path"]
            .into_iter()
            .filter(|key| lookup(&entries, key).is_some())
            .collect();
        let target = match targets.as_slice() {
            [] if ["event", "sobject", "path"]
                .iter()
                .any(|key| self.misspelt(path, key)) =>
            {
                None
            }
            [] => {
                self.report(
                    path,
                    At::Key,
                    "an API destination needs one of `event`, `sobject` or `path`",
                    "write `event: Order_Placed__e` (a Platform Event), `sobject: Case`, or `path: /services/apexrest/...`",
                );
                None
            }
            [key] => {
                let key_path = child(path, key);
                let raw = lookup(&entries, key)?;
                let text = self.string(raw, &key_path)?;
                let checked = match *key {
                    "event" => destination_rules::check_event(&text)
                        .map(|()| DestinationTarget::Event(text)),
                    "sobject" => destination_rules::check_sobject(&text)
                        .map(|()| DestinationTarget::SObject(text)),
                    _ => {
                        destination_rules::check_path(&text).map(|()| DestinationTarget::Path(text))
                    }
                };
                match checked {
                    Ok(target) => Some(target),
                    Err(Violation { message, help }) => {
                        self.report(&key_path, At::Value, message, help);
                        None
                    }
                }
            }
            several => {
                self.report(
                    &child(path, several[1]),
                    At::Key,
                    format!(
                        "an API destination takes exactly one of `event`, `sobject` or `path`; found {}",
                        several.iter().map(|s| format!("`{s}`")).collect::<Vec<_>>().join(" and ")
                    ),
                    "keep the one the destination posts to",
                );
                None
            }
        };
        let api_version = match lookup(&entries, "apiVersion") {
            None => Some(DEFAULT_API_VERSION.to_string()),
            Some(value) => {
                let version_path = child(path, "apiVersion");
                let version = self.string(value, &version_path)?;
                self.check(
                    &version_path,
                    destination_rules::check_api_version(&version),
                )
                .then_some(version)
            }
        };
        let rate_path = child(path, "rateLimitPerSecond");
        let rate_origin = lookup(&entries, "rateLimitPerSecond").map(|_| self.origin(&rate_path));
        let rate_limit = match lookup(&entries, "rateLimitPerSecond") {
            None => Some(DEFAULT_RATE_LIMIT),
            Some(value) => {
                let written = self.document.raw_scalar(&rate_path).map(str::to_string);
                // Decimal digits exactly as written: YAML would also read `0x10`, `0o20`,
                // `+16` or `1_6` as numbers, and a reader of the file would not expect 16.
                let decimal = written
                    .as_deref()
                    .is_some_and(destination_rules::is_plain_decimal);
                let rate = match value {
                    Value::Number(number) if decimal => number.as_u64().filter(|n| {
                        (u64::from(RATE_LIMIT_MIN)..=u64::from(RATE_LIMIT_MAX)).contains(n)
                    }),
                    _ => None,
                };
                match rate {
                    Some(rate) => Some(u32::try_from(rate).unwrap_or(RATE_LIMIT_MAX)),
                    None => {
                        let shown = written.unwrap_or_else(|| kind(value).to_string());
                        self.report(
                            &rate_path,
                            at_value(value),
                            format!("`{shown}` is not a rate limit: EventBridge takes a whole number of invocations per second, at least {RATE_LIMIT_MIN} (at most {RATE_LIMIT_MAX}, its API's 32-bit integer), written in decimal digits"),
                            format!("write e.g. `rateLimitPerSecond: 100`, or leave it out for AWS's default, {DEFAULT_RATE_LIMIT} (a higher rate needs a raised quota)"),
                        );
                        None
                    }
                }
            }
        };
        let rules = match lookup(&entries, "rules") {
            None => Some(Vec::new()),
            Some(value) => self.rules(value, &child(path, "rules")),
        };
        Some(DestinationSpec {
            name: name?,
            description: description?,
            target: target?,
            api_version: api_version?,
            rate_limit_per_second: rate_limit?,
            rate_origin,
            rules: rules?,
            origin: self.location(&child(path, "name"), At::Key),
        })
    }
}
