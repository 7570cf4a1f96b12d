//! The HTTP parameter lists a connection carries, as one concept for every layer.
//!
//! A connection has two parameter blocks (the token request's `oauth` and every call's
//! `invocation`), each with three lists (`headers`, `query`, `body`). The YAML, the desired
//! state, the live state, the managed secret and the SDK all name them differently; this module
//! is the one place that knows every name, so the rest of the code says [`ListKind::Headers`]
//! instead of joining modules by the string `"headers"`.

/// One of the three parameter lists of a block.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ListKind {
    Headers,
    Query,
    Body,
}

impl ListKind {
    pub(crate) const ALL: [ListKind; 3] = [ListKind::Headers, ListKind::Query, ListKind::Body];

    /// The key users write in YAML, and the name used in field paths.
    pub(crate) fn yaml_name(self) -> &'static str {
        match self {
            ListKind::Headers => "headers",
            ListKind::Query => "query",
            ListKind::Body => "body",
        }
    }

    /// The name in the EventBridge-managed secret's JSON (AWS's layout).
    pub(crate) fn managed_secret_name(self) -> &'static str {
        match self {
            ListKind::Headers => "header_parameters",
            ListKind::Query => "query_string_parameters",
            ListKind::Body => "body_parameters",
        }
    }
}

/// One of the two parameter blocks of a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Block {
    /// Sent with the token request.
    OAuth,
    /// Sent with every API destination call.
    Invocation,
}

impl Block {
    pub(crate) fn yaml_name(self) -> &'static str {
        match self {
            Block::OAuth => "oauth",
            Block::Invocation => "invocation",
        }
    }

    pub(crate) fn managed_secret_name(self) -> &'static str {
        match self {
            Block::OAuth => "oauth_http_parameters",
            Block::Invocation => "invocation_http_parameters",
        }
    }

    /// The field path of a parameter, as users read it: `invocation.headers.X-Token`.
    pub(crate) fn field(self, list: ListKind, key: &str) -> String {
        format!("{}.{}.{key}", self.yaml_name(), list.yaml_name())
    }
}

/// The three lists of one block, each holding parameters of type `P` (declared, desired or
/// live), in the order they are declared or returned.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParameterLists<P> {
    pub(crate) headers: Vec<P>,
    pub(crate) query: Vec<P>,
    pub(crate) body: Vec<P>,
}

impl<P> Default for ParameterLists<P> {
    fn default() -> Self {
        ParameterLists {
            headers: Vec::new(),
            query: Vec::new(),
            body: Vec::new(),
        }
    }
}

impl<P> ParameterLists<P> {
    pub(crate) fn get(&self, kind: ListKind) -> &[P] {
        match kind {
            ListKind::Headers => &self.headers,
            ListKind::Query => &self.query,
            ListKind::Body => &self.body,
        }
    }

    /// Every list with its kind, in the order headers, query, body.
    pub(crate) fn lists(&self) -> impl Iterator<Item = (ListKind, &[P])> {
        ListKind::ALL.into_iter().map(|kind| (kind, self.get(kind)))
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.headers.is_empty() && self.query.is_empty() && self.body.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_list_has_one_name_per_layer() {
        assert_eq!(
            Block::Invocation.field(ListKind::Headers, "X-Token"),
            "invocation.headers.X-Token"
        );
        assert_eq!(
            ListKind::Query.managed_secret_name(),
            "query_string_parameters"
        );
    }

    #[test]
    fn lists_are_visited_in_a_fixed_order() {
        let lists = ParameterLists {
            headers: vec![1],
            query: vec![2, 3],
            body: vec![],
        };
        let seen: Vec<(ListKind, usize)> = lists.lists().map(|(k, l)| (k, l.len())).collect();
        assert_eq!(
            seen,
            [
                (ListKind::Headers, 1),
                (ListKind::Query, 2),
                (ListKind::Body, 0)
            ]
        );
    }
}
