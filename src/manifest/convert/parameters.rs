//! `oauth:` and `invocation:`: the `headers`, `query` and `body` lists, each name and literal
//! value checked against AWS's rules, the names EventBridge sends itself refused.

use super::walker::{At, Walker, child};
use crate::manifest::keys;
use crate::manifest::limits::{self, Violation};
use crate::manifest::yaml::Segment;
use crate::manifest::{HttpParameters, Parameter, ValueSource};
use serde_yaml::Value;

impl Walker<'_> {
    /// `oauth:` or `invocation:` with their `headers`, `query` and `body` maps.
    pub(super) fn parameters(
        &mut self,
        value: &Value,
        path: &[Segment],
        is_oauth: bool,
    ) -> Option<HttpParameters> {
        if value.is_null() {
            return Some(HttpParameters::default());
        }
        let entries = self.mapping(value, path, keys::PARAMETER_BLOCK)?;
        let mut ok = true;
        let mut parameters = HttpParameters::default();
        for (block, item) in entries {
            let block_path = child(path, &block);
            let list = match self.parameter_list(item, &block_path, &block, is_oauth) {
                Some(list) => list,
                None => {
                    ok = false;
                    continue;
                }
            };
            match block.as_str() {
                "headers" => parameters.headers = list,
                "query" => parameters.query = list,
                _ => parameters.body = list,
            }
        }
        ok.then_some(parameters)
    }

    pub(super) fn parameter_list(
        &mut self,
        value: &Value,
        path: &[Segment],
        block: &str,
        is_oauth: bool,
    ) -> Option<Vec<Parameter>> {
        if value.is_null() {
            return Some(Vec::new());
        }
        let entries = self.mapping(value, path, &[])?;
        let what = match block {
            "headers" => "header",
            "query" => "query",
            _ => "body",
        };
        let mut ok = true;
        if let Err(Violation { message, help }) = limits::check_list_size(what, entries.len()) {
            self.report(path, At::Key, message, help);
            ok = false;
        }
        let mut parameters = Vec::new();
        for (key, item) in entries {
            let item_path = child(path, &key);
            let key_check = match block {
                "headers" => limits::check_header_key(&key),
                "query" => limits::check_query_part("query parameter name", &key),
                _ => limits::check_body_key(&key),
            };
            if let Err(Violation { message, help }) = key_check {
                self.report(&item_path, At::Key, message, help);
                ok = false;
                continue;
            }
            if is_oauth && block == "body" && key == "grant_type" {
                self.report(
                    &item_path,
                    At::Key,
                    "`grant_type` cannot be set: provision always sends `grant_type=client_credentials`",
                    "remove `grant_type`; the client credentials flow is the only one EventBridge connections use here",
                );
                ok = false;
                continue;
            }
            if is_oauth && block == "body" && (key == "client_id" || key == "client_secret") {
                self.report(
                    &item_path,
                    At::Key,
                    format!("`{key}` cannot be set as a body parameter"),
                    "EventBridge sends the client id and secret itself; set them with `clientId` and `clientSecret`",
                );
                ok = false;
                continue;
            }
            let Some(source) = self.value_source(item, &item_path) else {
                ok = false;
                continue;
            };
            if let ValueSource::Literal(text) = &source {
                let value_check = match block {
                    "headers" => limits::check_header_value(text),
                    "query" => limits::check_query_part("query parameter value", text),
                    _ => Ok(()),
                };
                if !self.check(&item_path, value_check) {
                    ok = false;
                    continue;
                }
            }
            parameters.push(Parameter { key, value: source });
        }
        if block == "headers" {
            ok &= self.duplicate_header_names(&parameters, path);
        }
        ok.then_some(parameters)
    }

    /// HTTP header names are case-insensitive: `X-Token` and `x-token` are the same header.
    pub(super) fn duplicate_header_names(
        &mut self,
        parameters: &[Parameter],
        path: &[Segment],
    ) -> bool {
        let mut ok = true;
        for (index, parameter) in parameters.iter().enumerate() {
            if let Some(first) = parameters[..index]
                .iter()
                .find(|p| p.key.eq_ignore_ascii_case(&parameter.key))
            {
                let at = child(path, &parameter.key);
                self.report(
                    &at,
                    At::Key,
                    format!("header `{}` is declared twice (as `{}` and `{}`; header names ignore case)", parameter.key, first.key, parameter.key),
                    "keep one of them",
                );
                ok = false;
            }
        }
        ok
    }
}
