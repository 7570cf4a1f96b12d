//! The document's root: the connection's name, description, client id and secret, KMS key,
//! private connectivity and Regions, with the parts below it handed to their own files.

use super::walker::{At, Path_, Walker, child, lookup, nth};
use crate::manifest::keys;
use crate::manifest::limits;
use crate::manifest::regions;
use crate::manifest::yaml::Segment;
use crate::manifest::{ConnectionSpec, HttpParameters, ValueSource};
use crate::sources;
use serde_yaml::Value;

impl Walker<'_> {
    pub(super) fn connection(&mut self) -> Option<ConnectionSpec> {
        let root: Path_ = Vec::new();
        let entries = self.mapping(&self.document.value, &root, keys::TOP)?;

        let name = self
            .required(
                &entries,
                &root,
                "name",
                &format!("add `name: <connection-name>` ({})", limits::name_rule()),
            )
            .and_then(|value| {
                let path = child(&root, "name");
                let name = self.string(value, &path)?;
                (self.check(&path, limits::check_name(&name))
                    && self.check(&path, self.prefixed(&name, "connection")))
                .then_some(name)
            });

        let description = lookup(&entries, "description").and_then(|value| {
            let path = child(&root, "description");
            if value.is_null() {
                return None;
            }
            let text = self.string(value, &path)?;
            let rules = self.rules;
            self.check(&path, limits::check_description_with(&text, &rules.marker))
                .then_some(text)
        });

        let token_url = self
            .required(
                &entries,
                &root,
                "salesforce",
                "add `salesforce: { myDomain: <name> }`",
            )
            .and_then(|value| self.salesforce(value, &child(&root, "salesforce"), name.as_deref()));

        let client_id = self
            .required(
                &entries,
                &root,
                "clientId",
                "add `clientId: <consumer key>` (it starts with 3MVG)",
            )
            .and_then(|value| {
                let path = child(&root, "clientId");
                let source = self.value_source(value, &path)?;
                if let ValueSource::Literal(text) = &source
                    && !self.check(&path, limits::check_client_credential("client id", text))
                {
                    return None;
                }
                Some(source)
            });

        let client_secret = self
            .required(&entries, &root, "clientSecret", &format!("add `clientSecret:` as a reference: {}", sources::help()))
            .and_then(|value| {
                let path = child(&root, "clientSecret");
                if !matches!(value, Value::Mapping(_)) && !value.is_null() {
                    self.report(
                        &path,
                        At::Value,
                        "a literal client secret is not allowed: secrets must not be written in YAML files",
                        format!("reference it instead: {}; if a real secret was committed, rotate it in Salesforce", sources::help()),
                    );
                    return None;
                }
                self.secret_ref(value, &path)
            });

        let oauth = match lookup(&entries, "oauth") {
            Some(value) => self.parameters(value, &child(&root, "oauth"), true),
            None => Some(HttpParameters::default()),
        };
        let invocation = match lookup(&entries, "invocation") {
            Some(value) => self.parameters(value, &child(&root, "invocation"), false),
            None => Some(HttpParameters::default()),
        };

        let kms_key = lookup(&entries, "kmsKey")
            .and_then(|value| self.kms_key(value, &child(&root, "kmsKey")));

        let private_link = lookup(&entries, "privateLink")
            .and_then(|value| self.private_link(value, &child(&root, "privateLink")));

        let regions = lookup(&entries, "regions")
            .and_then(|value| self.regions(value, &child(&root, "regions")));

        let targets = lookup(&entries, "targets")
            .and_then(|value| self.target_names(value, &child(&root, "targets")));
        let targets_at = self.item_locations(&targets, "targets");
        let regions_at = self.item_locations(&regions, "regions");

        let destinations = match lookup(&entries, "destinations") {
            None => Some(Vec::new()),
            Some(value) if value.is_null() => Some(Vec::new()),
            Some(value) => self.destinations(value, &child(&root, "destinations")),
        };

        let destinations = destinations
            .filter(|destinations| self.rule_regions(destinations, regions.as_deref(), &root));
        let origin = self.location(&child(&root, "name"), At::Key);
        let (token_url, app) = token_url?;
        Some(ConnectionSpec {
            name: name?,
            description,
            token_url,
            client_id: client_id?,
            client_secret: client_secret?,
            oauth: oauth?,
            invocation: invocation?,
            kms_key,
            private_link,
            regions,
            targets,
            targets_at,
            regions_at,
            destinations: destinations?,
            app,
            origin,
        })
    }

    /// `kmsKey:`: the customer managed key the connection's secrets are encrypted with.
    fn kms_key(&mut self, value: &Value, path: &[Segment]) -> Option<String> {
        if value.is_null() {
            return None;
        }
        let key = self.string(value, path)?;
        self.check(path, limits::check_kms_key(&key)).then_some(key)
    }

    pub(super) fn regions(&mut self, value: &Value, path: &[Segment]) -> Option<Vec<String>> {
        let items = self.sequence(
            value,
            path,
            "Region names",
            "write e.g. `regions: [us-east-1, eu-west-1]`",
        )?;
        let mut listed: Vec<(usize, String)> = Vec::new();
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            let item_path = nth(path, index);
            let Some(region) = self.string(item, &item_path) else {
                ok = false;
                continue;
            };
            let rules = self.rules;
            if !self.check(
                &item_path,
                regions::check_region_with(&region, &rules.extra_regions),
            ) {
                ok = false;
                continue;
            }
            if let Some((first, _)) = listed.iter().find(|(_, r)| *r == region) {
                self.report(
                    &item_path,
                    At::Value,
                    format!("`{region}` is listed twice (also as regions[{first}])"),
                    "remove one of them",
                );
                ok = false;
                continue;
            }
            listed.push((index, region));
        }
        if !ok {
            return None;
        }
        let regions: Vec<String> = listed.into_iter().map(|(_, region)| region).collect();
        if regions.is_empty() {
            self.report(
                path,
                At::Value,
                "the list of Regions is empty",
                "list at least one Region, or remove `regions` to use the Region of the run",
            );
            return None;
        }
        Some(regions)
    }
}

impl Walker<'_> {
    /// Where each item of the list under the top-level `key` is written, when it was read.
    fn item_locations(
        &self,
        items: &Option<Vec<String>>,
        key: &str,
    ) -> Vec<crate::error::Location> {
        let count = items.as_ref().map_or(0, Vec::len);
        (0..count)
            .map(|index| self.location(&nth(&child(&[], key), index), At::Value))
            .collect()
    }

    /// `targets:`: names of the project file's targets, at least one, each once. Whether the
    /// project file lists them is checked with the project (`crate::coverage`).
    fn target_names(&mut self, value: &Value, path: &[Segment]) -> Option<Vec<String>> {
        let items = self.sequence(
            value,
            path,
            "target names",
            "write e.g. `targets: [prod, staging]`, naming targets of the project file",
        )?;
        let mut names: Vec<String> = Vec::new();
        let mut ok = true;
        for (index, item) in items.iter().enumerate() {
            let item_path = nth(path, index);
            let Some(name) = self.string(item, &item_path) else {
                ok = false;
                continue;
            };
            if let Some(first) = names.iter().position(|n| *n == name) {
                self.report(
                    &item_path,
                    At::Value,
                    format!("the target `{name}` is listed twice (also as targets[{first}])"),
                    "remove one of them",
                );
                ok = false;
                continue;
            }
            names.push(name);
        }
        if ok && names.is_empty() {
            self.report(
                path,
                At::Value,
                "the list of targets is empty: the connection would be in no account",
                "name at least one of the project file's targets, e.g. `targets: [prod]`",
            );
            return None;
        }
        ok.then_some(names)
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::convert::{REQUIRED, convert_text};
    use crate::manifest::keys::{self, Keys};

    #[test]
    fn the_parser_requires_exactly_the_keys_the_table_marks_required() {
        fn missing(problems: &[String]) -> Vec<&str> {
            problems
                .iter()
                .filter_map(|p| p.split("missing required key `").nth(1))
                .filter_map(|rest| rest.split('`').next())
                .collect()
        }
        let required = |table: Keys| -> Vec<&str> {
            table
                .iter()
                .filter(|key| key.required)
                .map(|key| key.name)
                .collect()
        };
        let problems = convert_text("description: only this\n").unwrap_err();
        assert_eq!(missing(&problems), required(keys::TOP));
        let problems = convert_text(&format!("{REQUIRED}privateLink: {{}}\n")).unwrap_err();
        assert_eq!(missing(&problems), required(keys::PRIVATE_LINK));
    }

    #[test]
    fn targets_name_the_project_files_targets_once_each() {
        let spec = convert_text(&format!("{REQUIRED}targets: [prod, staging]\n")).unwrap();
        assert_eq!(
            spec.targets,
            Some(vec!["prod".to_string(), "staging".to_string()])
        );
        assert_eq!(convert_text(REQUIRED).unwrap().targets, None);
        assert_eq!(
            convert_text(&format!("{REQUIRED}targets: [prod, prod]\n")).unwrap_err(),
            [
                "c.yaml:6:17: targets[1]: the target `prod` is listed twice (also as targets[0])\n  help: remove one of them"
            ]
        );
        assert_eq!(
            convert_text(&format!("{REQUIRED}targets: []\n")).unwrap_err(),
            [
                "c.yaml:6:10: targets: the list of targets is empty: the connection would be in no account\n  help: name at least one of the project file's targets, e.g. `targets: [prod]`"
            ]
        );
        assert_eq!(
            convert_text(&format!("{REQUIRED}targets: prod\n")).unwrap_err(),
            [
                "c.yaml:6:10: targets: expected a list of target names, found a string\n  help: write e.g. `targets: [prod, staging]`, naming targets of the project file"
            ]
        );
    }
}
